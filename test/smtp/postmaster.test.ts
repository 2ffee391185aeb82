// Mail to postmaster (RFC 5321 4.5.1, 4.1.1.3) on the MX port from an untrusted address, sent with
// Python's smtplib: every local domain, the bare <Postmaster> and the host name accept it in any
// case, and it lands in the first account's INBOX until `homepost postmaster set` chooses another.
// Without any account it is refused with 550 5.1.1.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createControlService } from '../../src/control/server.ts';
import { createSmtpService } from '../../src/smtpserver/service.ts';
import { runCli, runJson } from '../cli/run-cli.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { inbox, RawSmtp, run, tableResolver } from './harness.ts';
import { hashNewPassword } from '../../src/auth/password.ts';

// One message per recipient from 127.0.0.2; prints "RCPT <code> <text>" and, when accepted,
// "DATA <code> <text>" for each.
const SEND = `
import smtplib, sys
port = int(sys.argv[1])
with smtplib.SMTP('127.0.0.1', port, source_address=('127.0.0.2', 0), timeout=20) as s:
    s.ehlo('client.example')
    for rcpt in sys.argv[2:]:
        s.mail('someone@remote.example')
        code, text = s.rcpt(rcpt)
        print('RCPT', code, text.decode())
        if code != 250:
            s.rset()
            continue
        code, text = s.data(f'From: someone@remote.example\\r\\nSubject: to {rcpt}\\r\\n\\r\\nHello postmaster.\\r\\n'.encode())
        print('DATA', code, text.decode())
`;

async function send(server: TestServer, recipients: string[]): Promise<string[]> {
  const r = await run('python3', ['-c', SEND, String(server.ports.smtp), ...recipients]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split('\n');
}

function subjects(server: TestServer, address: string): string[] {
  return inbox(server, address).map((m) => /\r\nSubject: ([^\r\n]*)/.exec(m.toString())?.[1] ?? '');
}

describe('postmaster', () => {
  let server: TestServer;
  let data: string[];
  before(async () => {
    server = await startTestServer({ starters: [createSmtpService({ resolve: tableResolver({}) }), createControlService()] });
    data = ['--data', server.dataDir];
    const { accounts, domains, settings } = server.context.store;
    // Nobody is trusted: only local recipients are accepted.
    await settings.set('smtp.trustedNetworks', []);
    await accounts.create({ address: 'bob@example.test', passwordHash: await hashNewPassword('bob password 1') });
    await domains.add('example.org'); // a local domain without accounts
  });
  after(() => server.close());

  test('every local domain, <Postmaster> and the host name, in any case: 250, into the first account', async () => {
    const recipients = ['postmaster@example.test', 'Postmaster', 'POSTMASTER@mail.example.test', 'PostMaster@Example.Org'];
    const lines = await send(server, recipients);
    assert.equal(lines.length, 2 * recipients.length, lines.join('\n'));
    for (let i = 0; i < recipients.length; i++) {
      assert.match(lines[2 * i], /^RCPT 250 /, recipients[i]);
      assert.match(lines[2 * i + 1], /^DATA 250 2\.6\.0 /, recipients[i]);
    }
    // dev@example.test is the first account (--dev makes it at start).
    assert.deepEqual(
      subjects(server, 'dev@example.test').slice(-4),
      recipients.map((r) => `to ${r}`),
    );
    assert.deepEqual(subjects(server, 'bob@example.test'), []);
    assert.equal(server.context.store.queue.list().length, 0, 'nothing relayed');
  });

  test('only postmaster: another name at the host name is relaying (554 5.7.1)', async () => {
    assert.deepEqual(await send(server, ['nobody@mail.example.test']), ['RCPT 554 5.7.1 Relay access denied']);
  });

  test('homepost postmaster set: the next message goes to the chosen account', async () => {
    const shown = await runJson<{ account: string | null; chosen: string | null }>(['postmaster', 'show', ...data]);
    assert.deepEqual(shown, { account: 'dev@example.test', chosen: null });
    const set = await runCli(['postmaster', 'set', 'Bob@Example.Test', ...data]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, 'postmaster mail goes to bob@example.test\n');
    const lines = await send(server, ['postmaster@example.test', 'Postmaster']);
    assert.match(lines.join('\n'), /^RCPT 250 [^\n]*\nDATA 250 [^\n]*\nRCPT 250 [^\n]*\nDATA 250 /);
    assert.deepEqual(subjects(server, 'bob@example.test'), ['to postmaster@example.test', 'to Postmaster']);
    // Only an account can be chosen.
    const unknown = await runCli(['postmaster', 'set', 'nobody@example.test', ...data]);
    assert.deepEqual([unknown.code, unknown.stderr], [4, 'homepost: no account nobody@example.test\n']);
  });

  test("an alias named postmaster@domain still gets its own domain's postmaster mail", async () => {
    await server.context.store.aliases.set('postmaster@example.org', ['dev@example.test']);
    const lines = await send(server, ['postmaster@example.org', 'postmaster@example.test']);
    assert.equal(lines.filter((l) => /^(RCPT|DATA) 250 /.test(l)).length, 4, lines.join('\n'));
    assert.equal(subjects(server, 'dev@example.test').at(-1), 'to postmaster@example.org');
    assert.equal(subjects(server, 'bob@example.test').at(-1), 'to postmaster@example.test');
  });
});

test('postmaster without any account: 550 5.1.1', async () => {
  const server = await startTestServer({ dev: false, starters: [createSmtpService({ resolve: tableResolver({}) })] });
  const c = await RawSmtp.connect(server.ports.smtp, { localAddress: '127.0.0.2' });
  try {
    assert.equal((await c.reply()).code, 220);
    await c.command('EHLO client.example');
    assert.equal((await c.command('MAIL FROM:<someone@remote.example>')).code, 250);
    for (const rcpt of ['<Postmaster>', '<postmaster@mail.example.test>']) {
      assert.match((await c.command(`RCPT TO:${rcpt}`)).lines[0], /^550 5\.1\.1 /, rcpt);
    }
  } finally {
    c.close();
    await server.close();
  }
});
