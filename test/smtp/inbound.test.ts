// Inbound checks on the MX port: SPF, DKIM and DMARC through an injected resolver (no outside
// DNS), recorded in Authentication-Results (RFC 8601) and Received-SPF; forged results for our
// authserv-id removed; DMARC p=reject failures refused only when smtp.rejectDmarc is set; and a
// resolver that does not answer gives temperror quickly instead of stalling delivery.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { dkimSign } from 'mailauth';
import { inbox, RawSmtp, splitTrace, startSmtpServer, type SmtpTestServer } from './harness.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicB64 = (publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');

const dns = {
  'example.org': { TXT: [['v=spf1 ip4:127.0.0.5 -all']] },
  '_dmarc.example.org': { TXT: [['v=DMARC1; p=reject']] },
  'sel._domainkey.example.org': { TXT: [[`v=DKIM1; k=rsa; p=${publicB64}`]] },
  'example.net': { TXT: [['v=spf1 -all']] },
  '_dmarc.example.net': { TXT: [['v=DMARC1; p=none']] },
};

async function send(server: SmtpTestServer, from: string, raw: string | Buffer, localAddress: string) {
  const c = await RawSmtp.connect(server.smtp, { localAddress });
  try {
    await c.reply();
    await c.command('EHLO client.example.org');
    await c.command(`MAIL FROM:<${from}>`);
    assert.equal((await c.command('RCPT TO:<dev@example.test>')).code, 250);
    assert.equal((await c.command('DATA')).code, 354);
    c.write(raw);
    return await c.command('.');
  } finally {
    c.close();
  }
}

function message(from: string, extra = ''): string {
  return `From: ${from}\r\nTo: dev@example.test\r\nSubject: auth\r\nMessage-ID: <${Math.random()}@example.org>\r\n${extra}\r\nbody\r\n`;
}

describe('SPF, DKIM and DMARC with an injected resolver', () => {
  let server: SmtpTestServer;
  before(async () => {
    server = await startSmtpServer({ dns, settings: { 'smtp.trustedNetworks': ['127.0.0.1/32'] } });
  });
  after(async () => {
    await server.close();
  });
  const last = () => splitTrace(inbox(server, 'dev@example.test').at(-1)!);

  test('SPF pass from the authorized address', async () => {
    const r = await send(server, 'alice@example.org', message('alice@example.org'), '127.0.0.5');
    assert.equal(r.code, 250, r.text);
    const { trace } = last();
    const ar = trace.find((t) => t.startsWith('Authentication-Results:'))!;
    assert.match(ar, /^Authentication-Results: mail\.example\.test;/);
    assert.match(ar, /spf=pass \([^)]*\) smtp\.mailfrom=alice@example\.org/);
    assert.match(ar, /dmarc=pass/);
    assert.ok(trace.some((t) => t.startsWith('Received-SPF: pass')));
  });

  test('DKIM pass rescues DMARC when SPF fails', async () => {
    const unsigned = message('alice@example.org');
    const { signatures } = await dkimSign(unsigned, {
      signatureData: [{ signingDomain: 'example.org', selector: 'sel', privateKey: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string }],
    } as never);
    assert.ok(signatures.startsWith('DKIM-Signature:'));
    const r = await send(server, 'alice@example.org', signatures + unsigned, '127.0.0.6');
    assert.equal(r.code, 250, r.text);
    const ar = last().trace.find((t) => t.startsWith('Authentication-Results:'))!;
    assert.match(ar, /dkim=pass header\.i=@example\.org header\.s=sel/);
    assert.match(ar, /spf=fail/);
    assert.match(ar, /dmarc=pass/);
  });

  test('DMARC failure is recorded, not refused, by default', async () => {
    const r = await send(server, 'alice@example.org', message('alice@example.org'), '127.0.0.6');
    assert.equal(r.code, 250);
    assert.match(last().trace.find((t) => t.startsWith('Authentication-Results:'))!, /dmarc=fail/);
  });

  test('with smtp.rejectDmarc, p=reject failures get 550 5.7.1; p=none failures still pass', async () => {
    await server.context.store.settings.set('smtp.rejectDmarc', true);
    try {
      const before = inbox(server, 'dev@example.test').length;
      const r = await send(server, 'alice@example.org', message('alice@example.org'), '127.0.0.6');
      assert.match(r.lines[0], /^550 5\.7\.1 /);
      assert.equal(inbox(server, 'dev@example.test').length, before);
      const none = await send(server, 'bob@example.net', message('bob@example.net'), '127.0.0.6');
      assert.equal(none.code, 250, 'p=none is only recorded');
    } finally {
      await server.context.store.settings.set('smtp.rejectDmarc', undefined);
    }
  });

  test('Authentication-Results claiming our authserv-id are removed, others kept (RFC 8601 5)', async () => {
    const extra = 'Authentication-Results: mail.example.test; dmarc=pass\r\nAuthentication-Results: other.example; spf=pass\r\n';
    const r = await send(server, 'alice@example.org', message('alice@example.org', extra), '127.0.0.5');
    assert.equal(r.code, 250);
    const { trace, rest } = last();
    assert.equal(trace.filter((t) => t.startsWith('Authentication-Results: mail.example.test')).length, 1);
    assert.doesNotMatch(rest.toString(), /mail\.example\.test; dmarc=pass/);
    assert.match(rest.toString(), /Authentication-Results: other\.example; spf=pass/);
  });

  test('trusted and authenticated clients are not checked', async () => {
    const r = await send(server, 'alice@example.org', message('alice@example.org'), '127.0.0.1');
    assert.equal(r.code, 250);
    assert.ok(!last().trace.some((t) => t.startsWith('Authentication-Results:')));
  });
});

test('a DNS server that never answers: temperror after one short timeout, mail still delivered', async () => {
  // A local UDP socket that swallows every query: the resolver's packets go nowhere else.
  const sink = dgram.createSocket('udp4');
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
  let queries = 0;
  sink.on('message', () => queries++);
  const server = await startSmtpServer({
    systemDns: true,
    settings: { 'smtp.trustedNetworks': ['127.0.0.1/32'], 'dns.servers': [`127.0.0.1:${sink.address().port}`], 'dns.timeoutMs': 300 },
  });
  try {
    const started = Date.now();
    for (let i = 0; i < 3; i++) {
      const r = await send(server, 'alice@example.org', message('alice@example.org'), '127.0.0.5');
      assert.equal(r.code, 250, r.text);
    }
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 10_000, `three messages took ${elapsed} ms: the checks stalled`);
    assert.ok(queries >= 1, 'the resolver did ask the local server');
    assert.ok(queries <= 3, `after the first timeout the breaker stops asking (${queries} queries)`);
    const ar = splitTrace(inbox(server, 'dev@example.test').at(-1)!).trace.find((t) => t.startsWith('Authentication-Results:'))!;
    assert.match(ar, /spf=temperror/);
  } finally {
    await server.close();
    sink.close();
  }
});
