// mbsync (Debian isync) syncing INBOX both ways with flags: server to Maildir, then local flag
// changes, a local new message and a local deletion back to the server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from '../support/temp-store.ts';
import { message, startImapServer } from './support.ts';

const run = promisify(execFile);

test('mbsync syncs a folder both ways with flags', async () => {
  const s = await startImapServer();
  const dir = tempDir('homepost-mbsync-');
  try {
    await s.deliver(message(1), { flags: ['\\Seen'] });
    await s.deliver(message(2), { flags: ['\\Flagged'] });
    await s.deliver(message(3));
    const maildir = path.join(dir, 'mail');
    mkdirSync(maildir);
    const rc = path.join(dir, 'mbsyncrc');
    writeFileSync(
      rc,
      `IMAPAccount hp\nHost 127.0.0.1\nPort ${s.port}\nUser ${s.user}\nPass ${s.password}\nSSLType None\nAuthMechs LOGIN\n\n` +
        `IMAPStore hp-remote\nAccount hp\n\nMaildirStore local\nPath ${maildir}/\nInbox ${maildir}/INBOX\nSubFolders Verbatim\n\n` +
        `Channel hp\nFar :hp-remote:\nNear :local:\nPatterns INBOX\nCreate Near\nSync All\nExpunge Both\nSyncState *\n`,
      { mode: 0o600 },
    );
    // mbsync turns on COMPRESS=DEFLATE by itself; the LOGOUT's BYE and OK must reach it (it printed
    // "IMAP error: unexpected EOF" when the server ended the socket before zlib had flushed).
    const mbsync = async () => {
      const { stderr } = await run('mbsync', ['-c', rc, '-a'], { timeout: 60_000 }).catch((e) => {
        throw new Error(`${e.message}\n${e.stdout}\n${e.stderr}`);
      });
      assert.doesNotMatch(stderr, /error|EOF/i);
    };
    await mbsync();
    const cur = path.join(maildir, 'INBOX', 'cur');
    const isNew = path.join(maildir, 'INBOX', 'new');
    const files = () => [...readdirSync(cur).map((f) => path.join(cur, f)), ...readdirSync(isNew).map((f) => path.join(isNew, f))];
    const flagsOf = (f: string) => /:2,([A-Z]*)$/.exec(f)?.[1] ?? '';
    assert.equal(files().length, 3);
    assert.deepEqual(files().map(flagsOf).sort(), ['', 'F', 'S']);

    // Local changes: mark the unseen one seen and replied, delete the flagged one, add a new one.
    for (const f of files()) {
      const flags = flagsOf(f);
      if (flags === 'F') renameSync(f, f.replace(/:2,F$/, ':2,FT'));
      else if (flags === '') renameSync(f, path.join(cur, `${path.basename(f).replace(/(:2,)?$/, '')}:2,RS`));
    }
    writeFileSync(path.join(isNew, `${Date.now()}.local.mbsynctest`), message('local'));
    await mbsync();

    const mb = s.context.store.mailboxes.get(s.accountId, 'INBOX')!;
    const records = s.context.store.messages.list(mb.id);
    const bySubject = new Map(records.map((r) => [/Subject: (.*)\r\n/.exec(s.context.store.messages.body(r.hash)!.toString())![1], r.flags.slice().sort()]));
    assert.deepEqual(Object.fromEntries(bySubject), {
      'test 1': ['\\Seen'],
      'test 3': ['\\Answered', '\\Seen'],
      'test local': [],
    });
    // The Maildir holds the same three messages, the deleted one expunged there too.
    assert.deepEqual(files().map(flagsOf).sort(), ['', 'RS', 'S']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await s.close();
  }
});
