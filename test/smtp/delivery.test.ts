// Local delivery: byte-exact storage behind the trace fields (dot-stuffing round trip), 8BITMIME
// and SMTPUTF8, quotas (452 4.2.2 / 552 5.2.2, per recipient at RCPT and at DATA), SIZE
// (552 5.3.4) and the recipient limit; the session survives each refusal.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { inbox, RawSmtp, run, splitTrace, startSmtpServer, type SmtpTestServer } from './harness.ts';
import { hashNewPassword } from '../../src/auth/password.ts';

let server: SmtpTestServer;

before(async () => {
  server = await startSmtpServer();
  const accounts = server.context.store.accounts;
  await accounts.create({ address: 'bob@example.test', passwordHash: await hashNewPassword('bob password 1') });
  await accounts.create({ address: 'jürgen@example.test', passwordHash: await hashNewPassword('jurgen password 1') });
  await accounts.create({ address: 'small@example.test', passwordHash: await hashNewPassword('small password 1'), quota: 2000 });
});

after(async () => {
  await server.close();
});

async function session(port = server.smtp): Promise<RawSmtp> {
  const c = await RawSmtp.connect(port);
  assert.equal((await c.reply()).code, 220);
  assert.equal((await c.command('EHLO client.example')).code, 250);
  return c;
}

// Python's smtplib does the dot-stuffing (smtplib.quotedata); the stored message, minus the
// Return-Path and Received fields on top, must be the sent bytes exactly.
test('dot-stuffing round trip through smtplib, compared byte for byte', async () => {
  const original = Buffer.from(
    [
      'From: sender@remote.example',
      'To: bob@example.test',
      'Subject: dots',
      'Message-ID: <dots@remote.example>',
      '',
      '.',
      '..',
      '...',
      '.leading dot',
      ' .not at the start',
      '.',
      'end.',
      '..\t.',
      '',
    ].join('\r\n'),
  );
  const script = `
import smtplib, sys
data = sys.stdin.buffer.read()
with smtplib.SMTP('127.0.0.1', int(sys.argv[1])) as s:
    s.sendmail('sender@remote.example', ['bob@example.test'], data)
`;
  const r = await run('python3', ['-c', script, String(server.smtp)], { input: original });
  assert.equal(r.code, 0, r.stderr);
  const stored = inbox(server, 'bob@example.test').at(-1)!;
  const { trace, rest } = splitTrace(stored);
  assert.equal(trace.length, 2);
  assert.equal(trace[0], 'Return-Path: <sender@remote.example>\r\n');
  assert.match(trace[1], /^Received: from client|^Received: from \S+ \(\[127\.0\.0\.1\]\)/);
  assert.ok(rest.equals(original), `stored:\n${JSON.stringify(rest.toString())}\nsent:\n${JSON.stringify(original.toString())}`);
});

test('8BITMIME: an 8-bit body is stored unchanged', async () => {
  const original = Buffer.concat([
    Buffer.from('From: sender@remote.example\r\nSubject: 8bit\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
    Buffer.from('Grüße, Ωμέγα, 日本語 \u00ff\r\n', 'utf8'),
    Buffer.from([0xe9, 0x74, 0xe9, 0x0d, 0x0a]), // latin-1 bytes too
  ]);
  const script = `
import smtplib, sys
data = sys.stdin.buffer.read()
with smtplib.SMTP('127.0.0.1', int(sys.argv[1])) as s:
    s.ehlo()
    assert s.has_extn('8bitmime')
    s.sendmail('sender@remote.example', ['bob@example.test'], data, mail_options=['BODY=8BITMIME'])
`;
  const r = await run('python3', ['-c', script, String(server.smtp)], { input: original });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(splitTrace(inbox(server, 'bob@example.test').at(-1)!).rest.equals(original));
});

test('SMTPUTF8: UTF-8 addresses with SMTPUTF8, refused without it', async () => {
  const original = Buffer.from('From: Jörg <jörg@bücher.example>\r\nTo: jürgen@example.test\r\nSubject: ünïcödé\r\n\r\nHallo Jürgen\r\n', 'utf8');
  const script = `
import smtplib, sys
data = sys.stdin.buffer.read()
with smtplib.SMTP('127.0.0.1', int(sys.argv[1])) as s:
    s.ehlo()
    assert s.has_extn('smtputf8')
    s.sendmail('jörg@bücher.example', ['jürgen@example.test'], data, mail_options=['SMTPUTF8', 'BODY=8BITMIME'])
`;
  const r = await run('python3', ['-c', script, String(server.smtp)], { input: original });
  assert.equal(r.code, 0, r.stderr);
  const stored = inbox(server, 'jürgen@example.test').at(-1)!;
  const { trace, rest } = splitTrace(stored);
  assert.ok(rest.equals(original));
  assert.equal(trace[0], 'Return-Path: <jörg@bücher.example>\r\n');
  assert.match(trace[1], /with UTF8SMTP id /, 'RFC 6531 3.7.3');
  assert.match(trace[1], /for <jürgen@example\.test>/);

  const c = await session();
  try {
    assert.equal((await c.command('MAIL FROM:<sender@remote.example>')).code, 250);
    const r2 = await c.command('RCPT TO:<jürgen@example.test>');
    assert.equal(r2.code, 501, 'no UTF-8 without SMTPUTF8');
    assert.match(r2.lines[0], /^501 5\.1\.3 /);
  } finally {
    c.close();
  }
});

test('bare LF lines are stored as CRLF; the end of DATA is CRLF.CRLF only', async () => {
  const c = await session();
  try {
    await c.command('MAIL FROM:<sender@remote.example>');
    await c.command('RCPT TO:<bob@example.test>');
    assert.equal((await c.command('DATA')).code, 354);
    // "\n.\n" does not end the message (no SMTP smuggling); the real end follows.
    c.write('Subject: lf\n\nline one\n.\nMAIL FROM:<smuggled@remote.example>\r\nstill body\r\n.\r\n');
    const r = await c.reply();
    assert.equal(r.code, 250, r.text);
    assert.equal((await c.command('NOOP')).code, 250, 'nothing smuggled is pending');
  } finally {
    c.close();
  }
  const rest = splitTrace(inbox(server, 'bob@example.test').at(-1)!).rest.toString();
  assert.equal(rest, 'Subject: lf\r\n\r\nline one\r\n.\r\nMAIL FROM:<smuggled@remote.example>\r\nstill body\r\n');
});

test('quota: refused at RCPT with SIZE, at DATA without; permanent reply when configured', async () => {
  const store = server.context.store;
  const big = 'x'.repeat(3000);
  let c = await session();
  try {
    await c.command('MAIL FROM:<sender@remote.example> SIZE=3000');
    const rcpt = await c.command('RCPT TO:<small@example.test>');
    assert.match(rcpt.lines[0], /^452 4\.2\.2 /);
    assert.equal((await c.command('RCPT TO:<bob@example.test>')).code, 250, 'other recipients are unaffected');
    await c.command('RSET');
    // No SIZE: the only recipient is over quota once the message is in.
    await c.command('MAIL FROM:<sender@remote.example>');
    assert.equal((await c.command('RCPT TO:<small@example.test>')).code, 250);
    await c.command('DATA');
    const data = await c.command(`Subject: big\r\n\r\n${big}\r\n.`);
    assert.match(data.lines[0], /^452 4\.2\.2 /);
    assert.equal(inbox(server, 'small@example.test').length, 0);
    // With another recipient the message is accepted; the full mailbox is held in the queue.
    await c.command('MAIL FROM:<sender@remote.example>');
    await c.command('RCPT TO:<small@example.test>');
    await c.command('RCPT TO:<bob@example.test>');
    await c.command('DATA');
    const both = await c.command(`Subject: big2\r\n\r\n${big}\r\n.`);
    assert.match(both.lines[0], /^250 2\.6\.0 /);
    assert.match(inbox(server, 'bob@example.test').at(-1)!.toString(), /Subject: big2/);
    const held = store.queue.list().find((e) => e.recipients.some((r) => r.address === 'small@example.test'))!;
    assert.deepEqual(
      held.recipients.map((r) => [r.state, r.lastResult]),
      [['deferred', '452 4.2.2 Mailbox full, try again later']],
    );
    assert.doesNotMatch(store.queue.body(held)!.toString(), /^Return-Path/, 'Return-Path only at final delivery');
  } finally {
    c.close();
  }
  await store.settings.set('smtp.quotaReply', 'permanent');
  c = await session();
  try {
    await c.command('MAIL FROM:<sender@remote.example> SIZE=3000');
    assert.match((await c.command('RCPT TO:<small@example.test>')).lines[0], /^552 5\.2\.2 /);
  } finally {
    c.close();
    await store.settings.set('smtp.quotaReply', undefined);
  }
});

test('SIZE: advertised from the settings, refused at MAIL and at the end of DATA (552 5.3.4)', async () => {
  const store = server.context.store;
  await store.settings.set('smtp.maxMessageSize', 10_000);
  const c = await RawSmtp.connect(server.smtp);
  try {
    await c.reply();
    const ehlo = await c.command('EHLO client.example');
    assert.ok(
      ehlo.lines.some((l) => l.slice(4) === 'SIZE 10000'),
      ehlo.text,
    );
    assert.match((await c.command('MAIL FROM:<sender@remote.example> SIZE=20000')).lines[0], /^552 5\.3\.4 /);
    assert.equal((await c.command('MAIL FROM:<sender@remote.example>')).code, 250);
    await c.command('RCPT TO:<bob@example.test>');
    await c.command('DATA');
    const before = inbox(server, 'bob@example.test').length;
    const r = await c.command(`Subject: too big\r\n\r\n${'y'.repeat(20_000)}\r\n.`);
    assert.match(r.lines[0], /^552 5\.3\.4 /);
    assert.equal(inbox(server, 'bob@example.test').length, before);
    assert.equal((await c.command('NOOP')).code, 250, 'the session goes on');
  } finally {
    c.close();
    await store.settings.set('smtp.maxMessageSize', undefined);
  }
});

test('recipient limit (452 4.5.3) and unknown parameters (555 5.5.4)', async () => {
  const store = server.context.store;
  await store.settings.set('smtp.maxRecipients', 2);
  const c = await session();
  try {
    assert.match((await c.command('MAIL FROM:<a@remote.example> X-UNKNOWN=1')).lines[0], /^555 5\.5\.4 /);
    await c.command('MAIL FROM:<a@remote.example>');
    assert.match((await c.command('RCPT TO:<bob@example.test> X-UNKNOWN')).lines[0], /^555 5\.5\.4 /);
    assert.equal((await c.command('RCPT TO:<bob@example.test>')).code, 250);
    assert.equal((await c.command('RCPT TO:<dev@example.test>')).code, 250);
    assert.match((await c.command('RCPT TO:<jürgen@example.test>')).lines[0], /^(452 4\.5\.3|501 5\.1\.3) /);
    assert.match((await c.command('RCPT TO:<postmaster@example.test>')).lines[0], /^452 4\.5\.3 /);
  } finally {
    c.close();
    await store.settings.set('smtp.maxRecipients', undefined);
  }
});
