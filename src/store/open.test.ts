import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { storeWithAccount } from '../../test/support/temp-store.ts';
import { MAP_SIZE } from './open.ts';

// The mappings of the store's file in this process, from /proc/self/maps: [start, end) each.
function mappingsOf(file: string): number[][] {
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((l) => l.endsWith(` ${file}`))
    .map((l) =>
      l
        .split(' ')[0]!
        .split('-')
        .map((h) => Number.parseInt(h, 16)),
    );
}

test('store.mdb is mapped once, at MAP_SIZE, however much the file grows', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
    const before = statSync(t.store.file).size;
    // Incompressible bodies, so the file grows by about what is written: past the 128 KB map lmdb-js
    // starts with and through several of its doublings.
    for (let i = 0; i < 40; i++) {
      const raw = Buffer.from(`Subject: ${i}\r\n\r\n${randomBytes(384 * 1024).toString('base64')}`);
      await t.store.messages.append({ mailboxId: inbox, raw });
    }
    assert.ok(statSync(t.store.file).size > before + 8 * 1024 * 1024, 'the file grew');
    const maps = mappingsOf(t.store.file);
    assert.equal(maps.length, 1, JSON.stringify(maps));
    assert.equal(maps[0]![1]! - maps[0]![0]!, MAP_SIZE);
  } finally {
    await t.close();
  }
});
