// curl's IMAP URLs (RFC 5092): LIST, EXAMINE + FETCH of a section, SEARCH, APPEND (upload), over
// STARTTLS on 143 and implicit TLS on 993.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from '../support/temp-store.ts';
import { message, startImapServer, type ImapTestServer } from './support.ts';

const exec = promisify(execFile);

describe('curl', () => {
  let s: ImapTestServer;
  let curl: (...args: string[]) => Promise<string>;
  before(async () => {
    s = await startImapServer({ dev: false });
    await s.deliver(message(1));
    await s.deliver(message(2));
    curl = async (...args) => {
      const { stdout } = await exec('curl', ['-sS', '--max-time', '20', '-k', '-u', `${s.user}:${s.password}`, ...args]).catch((e) => {
        throw new Error(`${e.message}\n${e.stdout}\n${e.stderr}`);
      });
      return stdout;
    };
  });
  after(() => s.close());

  test('LIST and a header field over STARTTLS', async () => {
    const base = `imap://127.0.0.1:${s.port}`;
    const list = await curl('--ssl-reqd', `${base}/`);
    assert.match(list, /^\* LIST \(\\HasNoChildren\) "\/" INBOX\r$/m);
    assert.match(list, /^\* LIST \(\\HasNoChildren \\Sent\) "\/" Sent\r$/m);
    const field = await curl('--ssl-reqd', `${base}/INBOX;UID=2;SECTION=HEADER.FIELDS%20(SUBJECT)`);
    assert.equal(field, 'Subject: test 2\r\n\r\n');
  });

  test('without TLS curl cannot log in: LOGINDISABLED', async () => {
    // curl sees LOGINDISABLED and no AUTH= mechanism, so it does not even try.
    await assert.rejects(curl(`imap://127.0.0.1:${s.port}/INBOX;UID=1`), /\(67\) Login denied/);
  });

  test('a whole message, SEARCH and an upload over 993', async () => {
    const base = `imaps://127.0.0.1:${s.tlsPort}`;
    assert.equal(await curl(`${base}/INBOX;UID=1`), message(1));
    assert.match(await curl(`${base}/INBOX?SUBJECT%20%22test%202%22`), /^\* SEARCH 2\r$/m);
    const dir = tempDir('homepost-curl-');
    try {
      const file = path.join(dir, 'm.eml');
      writeFileSync(file, message('uploaded'));
      await curl('-T', file, `${base}/Sent`);
      const sent = s.context.store.mailboxes.get(s.accountId, 'Sent')!;
      const [rec] = s.context.store.messages.list(sent.id);
      assert.equal(s.context.store.messages.body(rec!.hash)!.toString(), message('uploaded'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
