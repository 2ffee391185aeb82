// Real clients nobody here wrote: swaks (STARTTLS, AUTH, pipelining), Python's smtplib,
// nodemailer and curl, each delivering locally or into the outbound queue.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import nodemailer from 'nodemailer';
import { inbox, run, startSmtpServer, type SmtpTestServer } from './harness.ts';
import { hashNewPassword } from '../../src/auth/password.ts';

let server: SmtpTestServer;
const DEV = 'dev@example.test';

before(async () => {
  server = await startSmtpServer();
  await server.context.store.accounts.create({ address: 'bob@example.test', passwordHash: await hashNewPassword('bob password 1') });
  await server.context.store.aliases.set('team@example.test', ['dev@example.test', 'bob@example.test']);
  await server.context.store.aliases.set('fwd@example.test', ['bob@example.test', 'bob@elsewhere.example']);
});

after(async () => {
  await server.close();
});

function queued(recipient: string) {
  return server.context.store.queue.list().filter((e) => e.recipients.some((r) => r.address === recipient));
}

test('swaks: STARTTLS + AUTH PLAIN on submission, to a remote recipient (queued) and a local one', async () => {
  const r = await run('swaks', [
    '--server',
    `127.0.0.1:${server.submission}`,
    '--tls',
    '--auth',
    'PLAIN',
    '--auth-user',
    DEV,
    '--auth-password',
    server.password,
    '--from',
    DEV,
    '--to',
    'friend@remote.example,bob@example.test',
    '--header',
    'Subject: swaks submission',
    '--body',
    'hello from swaks',
  ]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /<-\s+220 2\.0\.0 Ready to start TLS/);
  assert.match(r.stdout, /<~\s+235 2\.7\.0/);
  assert.match(r.stdout, /<~\s+250 2\.6\.0 Message accepted \(queue id \d+\)/);
  const [entry] = queued('friend@remote.example');
  assert.ok(entry, 'queued for the remote recipient');
  assert.equal(entry.accountId, server.context.store.accounts.get(DEV)!.id);
  const body = server.context.store.queue.body(entry)!.toString();
  assert.match(body, /^Received: from .*\r\n\tby mail\.example\.test \(homepost\) \(TLSv1\.3 [^)]+\)\r\n\twith ESMTPSA id /);
  const local = inbox(server, 'bob@example.test').at(-1)!.toString();
  assert.match(local, /^Return-Path: <dev@example\.test>\r\nReceived: /);
  assert.match(local, /Subject: swaks submission/);
  assert.ok(!/\tfor </.test(local), 'no "for" clause with two recipients (RFC 5321 7.2)');
});

test('swaks: AUTH LOGIN over implicit TLS (465) and a wrong password', async () => {
  const ok = await run('swaks', [
    '--server',
    `127.0.0.1:${server.submissions}`,
    '--tlsc',
    '--auth',
    'LOGIN',
    '--auth-user',
    DEV,
    '--auth-password',
    server.password,
    '--from',
    DEV,
    '--to',
    DEV,
  ]);
  assert.equal(ok.code, 0, ok.stdout);
  assert.match(ok.stdout, /235 2\.7\.0/);
  const bad = await run('swaks', [
    '--server',
    `127.0.0.1:${server.submissions}`,
    '--tlsc',
    '--auth',
    'LOGIN',
    '--auth-user',
    DEV,
    '--auth-password',
    'wrong password',
    '--from',
    DEV,
    '--to',
    DEV,
  ]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stdout, /535 5\.7\.8/);
});

test('swaks: pipelining on the MX port to local recipients and an alias', async () => {
  const before = inbox(server, 'bob@example.test').length;
  const r = await run('swaks', [
    '--server',
    `127.0.0.1:${server.smtp}`,
    '--pipeline',
    '--from',
    'someone@remote.example',
    '--to',
    'team@example.test,bob@example.test',
    '--header',
    'Subject: pipelined',
  ]);
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /PIPELINING/);
  assert.match(r.stdout, /250 2\.6\.0/);
  const bobs = inbox(server, 'bob@example.test');
  assert.equal(bobs.length, before + 1, 'bob gets one copy though named directly and through the alias');
  assert.match(inbox(server, DEV).at(-1)!.toString(), /Subject: pipelined/);
});

test('python smtplib: STARTTLS, login, send_message to local and remote recipients', async () => {
  const script = `
import smtplib, ssl, sys
from email.message import EmailMessage
m = EmailMessage()
m['From'] = 'dev@example.test'
m['To'] = 'bob@example.test, far@remote.example'
m['Subject'] = 'smtplib'
m.set_content('Grüße aus Python\\n')
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
with smtplib.SMTP('127.0.0.1', int(sys.argv[1])) as s:
    s.starttls(context=ctx)
    s.login('dev@example.test', sys.argv[2])
    refused = s.send_message(m)
    print('refused', refused)
    try:
        s.sendmail('ceo@bank.example', ['bob@example.test'], 'From: ceo@bank.example\\r\\n\\r\\nx')
    except smtplib.SMTPSenderRefused as e:
        print('sender refused', e.smtp_code, e.smtp_error.decode())
`;
  const r = await run('python3', ['-c', script, String(server.submission), server.password]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /refused \{\}/);
  assert.match(r.stdout, /sender refused 553 5\.7\.1 /);
  assert.equal(queued('far@remote.example').length, 1);
  const stored = inbox(server, 'bob@example.test').at(-1)!.toString();
  assert.match(stored, /Subject: smtplib/);
  assert.match(stored, /\r\nDate: /, 'submission without Date gets one (RFC 6409 8.3)');
  assert.match(stored, /\r\nMessage-ID: <[^>]+@mail\.example\.test>\r\n/, 'and a Message-ID (RFC 6409 8.3)');
});

test('nodemailer over submission with requireTLS; a forged From is refused', async () => {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port: server.submission,
    secure: false,
    requireTLS: true,
    auth: { user: DEV, pass: server.password },
    tls: { rejectUnauthorized: false },
  });
  try {
    const info = await transport.sendMail({ from: DEV, to: ['bob@example.test'], subject: 'nodemailer', text: 'hi' });
    assert.deepEqual(info.accepted, ['bob@example.test']);
    assert.match(info.response, /^250 2\.6\.0 /);
    assert.match(inbox(server, 'bob@example.test').at(-1)!.toString(), /Subject: nodemailer/);
    await assert.rejects(
      transport.sendMail({
        envelope: { from: DEV, to: ['bob@example.test'] },
        from: 'Boss <boss@example.test>',
        to: 'bob@example.test',
        subject: 'forged',
        text: 'x',
      }),
      (e: { responseCode?: number; response?: string }) => e.responseCode === 553 && /5\.7\.1/.test(e.response ?? ''),
    );
  } finally {
    transport.close();
  }
});

test('an alias with an outside target: local copy delivered, the outside one queued in the same transaction', async () => {
  const r = await run('swaks', [
    '--server',
    `127.0.0.1:${server.smtp}`,
    '--from',
    'someone@remote.example',
    '--to',
    'fwd@example.test',
    '--header',
    'Subject: forwarded',
  ]);
  assert.equal(r.code, 0, r.stdout);
  assert.match(inbox(server, 'bob@example.test').at(-1)!.toString(), /Subject: forwarded/);
  const [entry] = queued('bob@elsewhere.example');
  assert.equal(entry.sender, 'someone@remote.example');
  assert.match(server.context.store.queue.body(entry)!.toString(), /Subject: forwarded/);
});

test('curl: plain SMTP to the MX port', async () => {
  const file = path.join(server.dataDir, 'curl.eml');
  writeFileSync(file, 'From: curl@remote.example\r\nTo: bob@example.test\r\nSubject: curl\r\n\r\nsent with curl\r\n');
  const r = await run('curl', [
    '-sS',
    '--url',
    `smtp://127.0.0.1:${server.smtp}`,
    '--mail-from',
    'curl@remote.example',
    '--mail-rcpt',
    'bob@example.test',
    '--upload-file',
    file,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const stored = inbox(server, 'bob@example.test').at(-1)!.toString();
  assert.match(stored, /^Return-Path: <curl@remote\.example>\r\n/);
  assert.match(stored, /\tfor <bob@example\.test>; /);
  const bad = await run('curl', [
    '-sS',
    '--url',
    `smtp://127.0.0.1:${server.smtp}`,
    '--mail-from',
    'curl@remote.example',
    '--mail-rcpt',
    'nobody@example.test',
    '--upload-file',
    file,
  ]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /550/);
});
