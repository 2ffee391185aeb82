// openssl s_client: STARTTLS on 143 and implicit TLS on 993, with a client nobody here wrote, and
// the cipher suites TLS 1.2 may use; and the STARTTLS injection check (CVE-2011-0411 class) with
// bytes written before the handshake.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { checkAeadOnly } from '../support/openssl.ts';
import { RawClient, startImapServer, type ImapTestServer } from './support.ts';

// Runs s_client, feeds it the lines one by one (waiting a little between them) and returns its output.
async function sClient(args: string[], lines: string[]): Promise<string> {
  const p = spawn('openssl', ['s_client', '-quiet', '-crlf', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (b: Buffer) => (out += b.toString()));
  const done = new Promise<void>((resolve) => p.on('close', () => resolve()));
  const wait = async (re: RegExp, tries = 100) => {
    for (let i = 0; i < tries && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
  };
  // With -starttls the greeting is consumed by s_client itself: give the handshake a moment.
  await wait(/^\* OK/m, 10);
  for (const l of lines) {
    const tag = l.split(' ')[0]!;
    p.stdin.write(`${l}\n`);
    await wait(new RegExp(`^${tag} `, 'm'));
  }
  p.stdin.end();
  const timer = setTimeout(() => p.kill(), 10_000);
  await done;
  clearTimeout(timer);
  return out;
}

describe('openssl s_client', () => {
  let s: ImapTestServer;
  before(async () => (s = await startImapServer({ dev: false })));
  after(() => s.close());

  test('STARTTLS on the plain port', async () => {
    const out = await sClient(['-starttls', 'imap', '-connect', `127.0.0.1:${s.port}`], ['a CAPABILITY', `b LOGIN "${s.user}" "${s.password}"`, 'c LOGOUT']);
    assert.match(out, /\* CAPABILITY [^\r\n]*AUTH=PLAIN/);
    assert.doesNotMatch(out, /LOGINDISABLED/);
    assert.match(out, /^b OK \[CAPABILITY/m);
    assert.match(out, /^c OK LOGOUT completed/m);
  });

  test('implicit TLS on 993', async () => {
    const out = await sClient(['-connect', `127.0.0.1:${s.tlsPort}`], [`a LOGIN "${s.user}" "${s.password}"`, 'b SELECT INBOX', 'c LOGOUT']);
    assert.match(out, /^\* OK \[CAPABILITY [^\]]*AUTH=PLAIN[^\]]*\]/m);
    assert.match(out, /^b OK \[READ-WRITE\]/m);
  });

  test('TLS 1.2 with ECDHE and AEAD suites only (RFC 9325 4.2), on 993 and after STARTTLS', async () => {
    await checkAeadOnly(s.tlsPort);
    await checkAeadOnly(s.port, ['-starttls', 'imap']);
  });

  test('plaintext pipelined after STARTTLS is discarded, never executed', async () => {
    const c = await RawClient.connect(s.port);
    await c.line();
    // A LOGIN and a DELETE smuggled in the same packet as STARTTLS.
    c.write(`a STARTTLS\r\nx LOGIN "${s.user}" "${s.password}"\r\ny CREATE Smuggled\r\n`);
    assert.equal(await c.line(), 'a OK Begin TLS negotiation now');
    await c.startTls();
    const r = await c.command('NOOP');
    assert.deepEqual(r.untagged, []);
    assert.match((await c.command('LIST "" *')).tagged, /BAD Authenticate first/);
    assert.equal(s.context.store.mailboxes.get(s.accountId, 'Smuggled'), null);
    c.close();
  });
});
