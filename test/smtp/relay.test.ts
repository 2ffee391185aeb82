// The relay matrix: from 127.0.0.2 (untrusted: only 127.0.0.1/32 is), every classic trick to
// make a server relay gets a refusal, each its own case; a known local recipient is accepted and
// delivered; nothing reaches the outbound queue. The trusted address may relay, as configured.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inbox, RawSmtp, startSmtpServer, type SmtpTestServer } from './harness.ts';

let server: SmtpTestServer;

before(async () => {
  server = await startSmtpServer({ settings: { 'smtp.trustedNetworks': ['127.0.0.1/32'] } });
});

after(async () => {
  await server.close();
});

// [case, RCPT TO argument, expected code, expected enhanced code]
const matrix: [string, string, number, string][] = [
  ['plain remote recipient', '<victim@remote.example>', 554, '5.7.1'],
  ['% hack in a local domain', '<victim%remote.example@example.test>', 550, '5.1.1'],
  ['% hack without a domain', '<victim%remote.example>', 501, '5.1.3'],
  ['% hack aimed back at us', '<dev%example.test@remote.example>', 554, '5.7.1'],
  ['bang path in a local domain', '<remote.example!victim@example.test>', 550, '5.1.1'],
  ['bang path without a domain', '<remote.example!victim>', 501, '5.1.3'],
  ['source route through us to a remote mailbox', '<@example.test:victim@remote.example>', 554, '5.7.1'],
  ['source route with two hops', '<@example.test,@mail.example.test:victim@remote.example>', 554, '5.7.1'],
  ['source route without a mailbox', '<@example.test:victim>', 501, '5.1.3'],
  ['quoted local part holding "@"', '<"victim@remote.example"@example.test>', 550, '5.1.1'],
  ['quoted local part holding "%"', '<"victim%remote.example"@example.test>', 550, '5.1.1'],
  ['quoted address without a domain', '<"victim@remote.example">', 501, '5.1.3'],
  ['two unquoted "@"', '<victim@remote.example@example.test>', 501, '5.1.3'],
  ['trailing dot on a remote domain', '<victim@remote.example.>', 501, '5.1.3'],
  ['trailing dot on the local domain', '<dev@example.test.>', 501, '5.1.3'],
  ['IPv4 address literal', '<victim@[192.0.2.1]>', 554, '5.7.1'],
  ['our own address literal', '<dev@[127.0.0.1]>', 554, '5.7.1'],
  ['IPv6 address literal', '<victim@[IPv6:2001:db8::1]>', 554, '5.7.1'],
  ['general address literal', '<victim@[x400:c=us]>', 501, '5.1.3'],
  ['upper-case remote domain', '<VICTIM@REMOTE.EXAMPLE>', 554, '5.7.1'],
  ['local domain as a subdomain of a remote one', '<victim@example.test.remote.example>', 554, '5.7.1'],
  ['remote domain ending like ours', '<victim@evilexample.test>', 554, '5.7.1'],
  ['mixed-case unknown local user', '<NoBody@Example.Test>', 550, '5.1.1'],
  ['unquoted space', '<victim @remote.example>', 501, '5.1.3'],
  ['no angle brackets', 'victim@remote.example', 501, '5.1.3'],
];

describe('relay matrix from 127.0.0.2 (untrusted)', () => {
  for (const [name, rcpt, code, enhanced] of matrix) {
    test(name, async () => {
      const c = await RawSmtp.connect(server.smtp, { localAddress: '127.0.0.2' });
      try {
        assert.equal((await c.reply()).code, 220);
        assert.equal((await c.command('EHLO client.example')).code, 250);
        assert.equal((await c.command('MAIL FROM:<sender@remote.example>')).code, 250);
        const r = await c.command(`RCPT TO:${rcpt}`);
        assert.equal(r.code, code, `${rcpt}: ${r.lines.join(' | ')}`);
        assert.match(r.lines[0], new RegExp(`^${code} ${enhanced.replace(/\./g, '\\.')} `), rcpt);
        // Whatever was refused, DATA has no recipient to deliver to.
        assert.equal((await c.command('DATA')).code, 503);
        assert.equal((await c.command('QUIT')).code, 221);
      } finally {
        c.close();
      }
    });
  }

  test('case games on the local domain: a known local recipient is accepted and delivered', async () => {
    const before = inbox(server, 'dev@example.test').length;
    const c = await RawSmtp.connect(server.smtp, { localAddress: '127.0.0.2' });
    try {
      await c.reply();
      await c.command('EHLO client.example');
      await c.command('MAIL FROM:<sender@remote.example>');
      const mixed = await c.command('RCPT TO:<DeV@ExAmPlE.TeSt>');
      assert.equal(mixed.code, 250, mixed.text);
      const routed = await c.command('RCPT TO:<@remote.example:dev@example.test>');
      assert.equal(routed.code, 250, 'a source route to a local mailbox is ignored (RFC 5321 C)');
      assert.equal((await c.command('DATA')).code, 354);
      const done = await c.command('Subject: matrix\r\n\r\nhello\r\n.');
      assert.equal(done.code, 250, done.text);
      await c.command('QUIT');
    } finally {
      c.close();
    }
    const mail = inbox(server, 'dev@example.test');
    assert.equal(mail.length, before + 1, 'one copy for the two spellings of one mailbox');
    assert.match(mail.at(-1)!.toString(), /Received: from client\.example \(\[127\.0\.0\.2\]\)/);
  });

  test('nothing from the untrusted address reached the outbound queue', () => {
    assert.deepEqual(server.context.store.queue.list(), []);
  });
});

test('the trusted address 127.0.0.1 may relay, into the durable queue', async () => {
  const c = await RawSmtp.connect(server.smtp, { localAddress: '127.0.0.1' });
  try {
    await c.reply();
    await c.command('EHLO trusted.example');
    await c.command('MAIL FROM:<app@example.test>');
    assert.equal((await c.command('RCPT TO:<victim@remote.example>')).code, 250);
    await c.command('DATA');
    const r = await c.command('Subject: relay\r\n\r\nok\r\n.');
    assert.match(r.lines[0], /^250 2\.6\.0 .*queue id \d+/);
    await c.command('QUIT');
  } finally {
    c.close();
  }
  const [entry] = server.context.store.queue.list();
  assert.deepEqual(
    entry.recipients.map((r) => [r.address, r.state]),
    [['victim@remote.example', 'queued']],
  );
  assert.equal(entry.sender, 'app@example.test');
  assert.match(server.context.store.queue.body(entry)!.toString(), /^Received: from trusted\.example/);
});
