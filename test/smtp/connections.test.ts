// SMTP connections through src/net's listener: a connection that went through STARTTLS gives its
// slot back when it ends; closing the listeners (RFC 5321 3.8) gives a session between
// transactions 421 4.3.2 at once, on 25, 587 and 465 alike, one in a transaction when it ends.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RawSmtp, startSmtpServer } from './harness.ts';

test('connections that went through STARTTLS give their slot back when they end', async () => {
  // Nothing trusted, so loopback clients are counted per address.
  const server = await startSmtpServer({ settings: { 'smtp.trustedNetworks': ['192.0.2.0/24'], 'smtp.maxConnectionsPerAddress': 2 } });
  try {
    for (let i = 0; i < 5; i++) {
      const c = await RawSmtp.connect(server.submission, { localAddress: '127.0.0.31' });
      assert.equal((await c.reply()).code, 220, `connection ${i + 1} is greeted`);
      await c.command('EHLO client.example');
      assert.equal((await c.command('STARTTLS')).code, 220);
      await c.startTls();
      assert.equal((await c.command('EHLO client.example')).code, 250);
      assert.equal((await c.command('QUIT')).code, 221);
      await c.drain();
      c.close();
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await server.close();
  }
});

test('shutdown: idle sessions get 421 4.3.2 at once, a session in a transaction is answered until it ends', async () => {
  const server = await startSmtpServer();
  const idle = await Promise.all([RawSmtp.connect(server.smtp), RawSmtp.connect(server.submission), RawSmtp.connectTls(server.submissions)]);
  const busy = await RawSmtp.connect(server.smtp);
  let closed = false;
  try {
    for (const c of [...idle, busy]) assert.equal((await c.reply()).code, 220);
    await busy.command('EHLO client.example');
    assert.equal((await busy.command('MAIL FROM:<sender@remote.example>')).code, 250);
    assert.equal((await busy.command('RCPT TO:<dev@example.test>')).code, 250);
    const started = Date.now();
    const closing = server.close().then(() => (closed = true));
    for (const c of idle) assert.match((await c.reply(2000)).lines[0], /^421 4\.3\.2 /);
    assert.ok(Date.now() - started < 1000, 'idle sessions hear 421 without waiting for the grace period');
    // Still in its transaction: answered as before until the transaction ends (here with RSET).
    assert.equal((await busy.command('NOOP')).code, 250);
    assert.equal((await busy.command('RSET')).code, 250);
    assert.match((await busy.reply(2000)).lines[0], /^421 4\.3\.2 /);
    await closing;
  } finally {
    for (const c of [...idle, busy]) c.close();
    if (!closed) await server.close().catch(() => {});
  }
});
