// An import leaves out a message larger than homepost takes, names it, and imports the rest; run
// again, it skips what is there and names the large one again. (5,017 bytes: the message with CRLF
// line ends, as it would be stored.)
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { hashNewPassword } from '../../src/auth/password.ts';
import { parseMessage } from '../../src/mime/index.ts';
import { Store } from '../../src/store/index.ts';
import { importMbox } from '../../src/transfer/import.ts';
import { tempDir } from '../support/temp-store.ts';

test('a message over the size limit is left out and named; the rest imported, once', async () => {
  const dir = tempDir('homepost-import-limits-');
  try {
    const file = path.join(dir, 'Old.mbox');
    const entry = (i: number, body: string) => `From a@old.example Mon Mar  2 10:00:0${i} 2026\nSubject: m${i}\n\n${body}\n\n`;
    writeFileSync(file, entry(1, 'small') + entry(2, 'x'.repeat(5000)) + entry(3, 'small too'));
    const store = await Store.open(path.join(dir, 'data'));
    try {
      await store.domains.add('example.test');
      const account = await store.accounts.create({ address: 'ann@example.test', passwordHash: await hashNewPassword('ann password 1') });
      const opts = { parse: async (raw: Buffer) => parseMessage(raw), maxMessageBytes: 1000 };
      const first = await importMbox(store, account, file, opts);
      assert.deepEqual([first.imported, first.skipped, first.tooLarge], [2, 0, [{ mailbox: 'Old', bytes: 5017 }]]);
      const again = await importMbox(store, account, file, opts);
      assert.deepEqual([again.imported, again.skipped, again.tooLarge.length], [0, 2, 1]);
      assert.equal(store.mailboxes.get(account.id, 'Old')!.count, 2);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
