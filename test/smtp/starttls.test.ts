// STARTTLS (RFC 3207): plaintext pipelined behind the command is discarded, never executed
// (the CVE-2011-0411 class); the session starts over after the handshake (4.2); AUTH is offered
// only under TLS and never on the MX port; TLS below 1.2 is refused, and 1.2 only with AEAD suites.
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { after, before, test } from 'node:test';
import { checkAeadOnly } from '../support/openssl.ts';
import { plainAuth, RawSmtp, run, startSmtpServer, type SmtpTestServer } from './harness.ts';

let server: SmtpTestServer;

before(async () => {
  server = await startSmtpServer();
});

after(async () => {
  await server.close();
});

async function greetAndEhlo(port: number): Promise<RawSmtp> {
  const c = await RawSmtp.connect(port);
  assert.equal((await c.reply()).code, 220);
  assert.equal((await c.command('EHLO client.example')).code, 250);
  return c;
}

test('RSET pipelined in the same packet as STARTTLS is not executed', async () => {
  const c = await greetAndEhlo(server.smtp);
  try {
    await c.command('MAIL FROM:<a@remote.example>');
    c.write('STARTTLS\r\nRSET\r\n');
    const ready = await c.reply();
    assert.equal(ready.code, 220);
    assert.equal(await c.drain(200), '', 'no reply to the injected RSET before the handshake');
    await c.startTls();
    // The first reply inside TLS answers our NOOP: had the RSET run, its "250 2.0.0 Flushed"
    // would come first.
    const noop = await c.command('NOOP');
    assert.match(noop.lines[0], /^250 2\.0\.0 OK$/);
    assert.equal(await c.drain(200), '', 'nothing else arrives');
  } finally {
    c.close();
  }
});

test('EHLO and MAIL pipelined after STARTTLS are discarded; the TLS session starts fresh', async () => {
  const c = await greetAndEhlo(server.smtp);
  try {
    c.write('STARTTLS\r\nEHLO injected.example\r\nMAIL FROM:<injected@remote.example>\r\nRCPT TO:<dev@example.test>\r\n');
    assert.equal((await c.reply()).code, 220);
    await c.startTls();
    // RFC 3207 4.2: state from before TLS is forgotten. Had the injected EHLO run inside TLS,
    // MAIL would be accepted; without any EHLO it is a bad sequence.
    const mail = await c.command('MAIL FROM:<a@remote.example>');
    assert.equal(mail.code, 503, mail.text);
    assert.match(mail.lines[0], /^503 5\.5\.1 /);
    const ehlo = await c.command('EHLO client.example');
    assert.equal(ehlo.code, 250);
    assert.ok(!ehlo.lines.some((l) => /STARTTLS/.test(l)), 'no second STARTTLS');
    assert.ok(!ehlo.lines.some((l) => /AUTH/.test(l)), 'never AUTH on the MX port');
    assert.equal((await c.command('MAIL FROM:<a@remote.example>')).code, 250);
    assert.equal((await c.command('RCPT TO:<dev@example.test>')).code, 250);
  } finally {
    c.close();
  }
});

test('EHLO on each listener: AUTH only once TLS is up, and never on port 25', async () => {
  const mx = await greetAndEhlo(server.smtp);
  const mxEhlo = await mx.command('EHLO again.example');
  mx.close();
  for (const ext of ['PIPELINING', '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES', 'STARTTLS', 'SIZE 26214400']) {
    assert.ok(
      mxEhlo.lines.some((l) => l.slice(4) === ext),
      `MX advertises ${ext}`,
    );
  }
  assert.ok(!mxEhlo.lines.some((l) => l.includes('AUTH')));
  const authOnMx = await greetAndEhlo(server.smtp);
  const refused = await authOnMx.command(`AUTH PLAIN ${plainAuth('dev@example.test', server.password)}`);
  assert.ok(refused.code >= 500, 'AUTH on the MX port is refused');
  authOnMx.close();

  // Submission from a non-loopback-looking path: the test server is in development mode, where
  // loopback may authenticate in plaintext; so check the TLS listeners' own listing.
  const sub = await greetAndEhlo(server.submission);
  sub.write('STARTTLS\r\n');
  assert.equal((await sub.reply()).code, 220);
  await sub.startTls();
  const subEhlo = await sub.command('EHLO client.example');
  assert.ok(
    subEhlo.lines.some((l) => l.slice(4) === 'AUTH PLAIN LOGIN'),
    subEhlo.text,
  );
  assert.ok(!subEhlo.lines.some((l) => l.includes('STARTTLS')));
  const auth = await sub.command(`AUTH PLAIN ${plainAuth('dev@example.test', server.password)}`);
  assert.match(auth.lines[0], /^235 2\.7\.0 /);
  sub.close();

  const implicit = await RawSmtp.connectTls(server.submissions);
  assert.equal((await implicit.reply()).code, 220);
  const tlsEhlo = await implicit.command('EHLO client.example');
  assert.ok(tlsEhlo.lines.some((l) => l.slice(4) === 'AUTH PLAIN LOGIN'));
  implicit.close();
});

test('submission refuses mail before authentication (530 5.7.0)', async () => {
  const c = await RawSmtp.connectTls(server.submissions);
  try {
    await c.reply();
    await c.command('EHLO client.example');
    const r = await c.command('MAIL FROM:<dev@example.test>');
    assert.match(r.lines[0], /^530 5\.7\.0 /);
  } finally {
    c.close();
  }
});

test('TLS 1.0 and 1.1 are refused on STARTTLS and implicit TLS; 1.2 and 1.3 work', async () => {
  const attempt = (port: number, version: tls.SecureVersion) =>
    new Promise<string>((resolve) => {
      const s = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, minVersion: version, maxVersion: version, ciphers: 'DEFAULT:@SECLEVEL=0' });
      s.once('secureConnect', () => {
        const v = s.getProtocol() ?? '?';
        s.destroy();
        resolve(v);
      });
      s.once('error', (e) => resolve(`error: ${e.message}`));
    });
  for (const v of ['TLSv1', 'TLSv1.1'] as const) assert.match(await attempt(server.submissions, v), /^error/, v);
  assert.equal(await attempt(server.submissions, 'TLSv1.2'), 'TLSv1.2');
  assert.equal(await attempt(server.submissions, 'TLSv1.3'), 'TLSv1.3');
  // STARTTLS, with openssl as the client (run asynchronously: the server is in this process).
  const s = await run('openssl', ['s_client', '-starttls', 'smtp', '-connect', `127.0.0.1:${server.smtp}`, '-tls1_1', '-cipher', 'DEFAULT:@SECLEVEL=0'], {
    input: 'QUIT\r\n',
    timeoutMs: 15_000,
  });
  assert.notEqual(s.code, 0, 'openssl -tls1_1 fails the STARTTLS handshake');
  const ok = await run('openssl', ['s_client', '-starttls', 'smtp', '-connect', `127.0.0.1:${server.smtp}`, '-tls1_2', '-quiet', '-ign_eof'], {
    input: 'EHLO x.example\r\nQUIT\r\n',
    timeoutMs: 15_000,
  });
  assert.match(ok.stdout, /221 2\.0\.0/);
});

test('TLS 1.2 with ECDHE and AEAD suites only (RFC 9325 4.2), on STARTTLS and implicit TLS', async () => {
  await checkAeadOnly(server.smtp, ['-starttls', 'smtp']);
  await checkAeadOnly(server.submissions);
});

test('certificate reload: new SMTP connections and STARTTLS get the new one, open sessions go on', async () => {
  const old = await RawSmtp.connectTls(server.submissions);
  try {
    assert.equal((await old.reply()).code, 220);
    const before = (old.socket as tls.TLSSocket).getPeerX509Certificate()!.fingerprint256;
    const info = server.context.tls.regenerate();
    assert.notEqual(info.fingerprint256, before);
    const fresh = await RawSmtp.connectTls(server.submissions);
    assert.equal((fresh.socket as tls.TLSSocket).getPeerX509Certificate()!.fingerprint256, info.fingerprint256);
    fresh.close();
    const upgraded = await greetAndEhlo(server.smtp);
    upgraded.write('STARTTLS\r\n');
    await upgraded.reply();
    await upgraded.startTls();
    assert.equal((upgraded.socket as tls.TLSSocket).getPeerX509Certificate()!.fingerprint256, info.fingerprint256);
    upgraded.close();
    assert.equal((await old.command('EHLO still.example')).code, 250, 'the session opened before the reload works');
  } finally {
    old.close();
  }
});

test('an identity from before STARTTLS is forgotten (RFC 3207 4.2)', async () => {
  // Development mode lets loopback authenticate in plaintext on submission; STARTTLS after that
  // must drop the identity, so MAIL needs a new AUTH.
  const c = await greetAndEhlo(server.submission);
  try {
    assert.match((await c.command(`AUTH PLAIN ${plainAuth('dev@example.test', server.password)}`)).lines[0], /^235 /);
    c.write('STARTTLS\r\n');
    assert.equal((await c.reply()).code, 220);
    await c.startTls();
    await c.command('EHLO client.example');
    assert.match((await c.command('MAIL FROM:<dev@example.test>')).lines[0], /^530 5\.7\.0 /);
    assert.match((await c.command(`AUTH PLAIN ${plainAuth('dev@example.test', server.password)}`)).lines[0], /^235 /);
    assert.equal((await c.command('MAIL FROM:<dev@example.test>')).code, 250);
  } finally {
    c.close();
  }
});
