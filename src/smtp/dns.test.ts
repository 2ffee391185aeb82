import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { test } from 'node:test';
import { startDnsResponder } from '../../test/smtp/outbound/dns-responder.ts';
import { systemResolver } from './dns.ts';

test('dns: a REFUSED answer fails its own query only; the next query is asked', async () => {
  const dns = await startDnsResponder({ 'refused.example': { refuse: true }, 'ok.example': { A: ['192.0.2.1'] } });
  try {
    const resolve = systemResolver({ servers: [dns.server], timeoutMs: 2000 });
    await assert.rejects(resolve('refused.example', 'A'), { code: 'EREFUSED' });
    assert.deepEqual(await resolve('ok.example', 'A'), ['192.0.2.1']);
    assert.equal(dns.queries, 2);
  } finally {
    await dns.close();
  }
});

test('dns: a server that does not answer opens the breaker: queries fail at once until it closes', async () => {
  const sink = dgram.createSocket('udp4');
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
  let queries = 0;
  sink.on('message', () => queries++);
  let now = 1_000_000;
  try {
    const resolve = systemResolver({ servers: [`127.0.0.1:${sink.address().port}`], timeoutMs: 200, now: () => now });
    await assert.rejects(resolve('a.example', 'A'), { code: 'ETIMEOUT' });
    const started = Date.now();
    await assert.rejects(resolve('b.example', 'A'), { code: 'ETIMEOUT' });
    assert.ok(Date.now() - started < 150, 'failed without asking');
    assert.equal(queries, 1);
    now += 30_000;
    await assert.rejects(resolve('c.example', 'A'), { code: 'ETIMEOUT' });
    assert.equal(queries, 2, 'asked again once the breaker closed');
  } finally {
    sink.close();
  }
});
