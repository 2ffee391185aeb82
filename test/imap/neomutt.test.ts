// neomutt reading over IMAP in a scripted run (no terminal: `script` provides one): it opens INBOX,
// displays the first message and quits. Displaying fetched the body, so the message is \Seen.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from '../support/temp-store.ts';
import { message, startImapServer } from './support.ts';

const run = promisify(execFile);

test('neomutt opens INBOX over IMAP and reads a message', async () => {
  const s = await startImapServer();
  const home = tempDir('homepost-neomutt-');
  try {
    await s.deliver(message('for neomutt'));
    await s.deliver(message('second'));
    const url = `imap://127.0.0.1:${s.port}/`;
    const settings = [
      'set ssl_starttls=no ssl_force_tls=no',
      `set imap_user="${s.user}" imap_pass="${s.password}"`,
      `set folder="${url}" spoolfile="+INBOX" header_cache="" message_cachedir="" quit=yes sort=date`,
    ].join('; ');
    const cmd = `neomutt -n -F /dev/null -e '${settings}' -f ${url}INBOX -e 'push <display-message><exit><quit>'`;
    await run('script', ['-qec', cmd, '/dev/null'], { timeout: 30_000, env: { ...process.env, HOME: home, TERM: 'xterm' } }).catch((e) => {
      throw new Error(`${e.message}\n${e.stdout}\n${e.stderr}`);
    });
    const mb = s.context.store.mailboxes.get(s.accountId, 'INBOX')!;
    const flags = s.context.store.messages.list(mb.id).map((r) => r.flags);
    assert.equal(flags.filter((f) => f.includes('\\Seen')).length, 1, JSON.stringify(flags));
  } finally {
    rmSync(path.join(home), { recursive: true, force: true });
    await s.close();
  }
});
