import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { silentLogger } from '../log/log.ts';
import { ConnectionTracker } from '../net/listener.ts';
import { listenHttp } from './server.ts';

function start(handler: Parameters<typeof listenHttp>[0]['handler'], limits = { maxConnections: 10, maxPerAddress: 10 }) {
  return listenHttp({
    name: 'test',
    host: '127.0.0.1',
    port: 0,
    tracker: new ConnectionTracker(limits),
    log: silentLogger,
    timeouts: { headersMs: 250, requestMs: 400, keepAliveMs: 100 },
    handler,
  });
}

// Everything the server sends until it closes the connection.
function exchange(port: number, send: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(send));
    let got = '';
    s.setEncoding('utf8').on('data', (d) => (got += d));
    s.on('close', () => resolve(got)).on('error', reject);
  });
}

test('http listener: slow headers and slow bodies are cut with 408', async () => {
  // Answers once the whole body is in.
  const l = await start((req, res) => void req.resume().once('end', () => res.end('ok')));
  try {
    const t0 = Date.now();
    const headers = await exchange(l.port, 'GET / HTTP/1.1\r\nHost: x\r\n');
    assert.match(headers, /^HTTP\/1\.1 408 /);
    assert.ok(Date.now() - t0 < 5000);
    const body = await exchange(l.port, 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc');
    assert.match(body, /^HTTP\/1\.1 408 /);
    // Idle keep-alive connections are closed after a good answer.
    assert.match(await exchange(l.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n'), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nok$/);
    assert.match(await exchange(l.port, 'GARBAGE\r\n\r\n'), /^HTTP\/1\.1 400 /);
  } finally {
    await l.close();
  }
});

test('http listener: over the connection limit, a 503; close lets a running answer finish', async () => {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const l = await start(
    (_req, res) => {
      void held.then(() => res.end('late'));
    },
    { maxConnections: 1, maxPerAddress: 1 },
  );
  const first = exchange(l.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  await new Promise((r) => setTimeout(r, 100));
  // Refused on accept, before any request is read.
  assert.match(await exchange(l.port, ''), /^HTTP\/1\.1 503 Service Unavailable\r\n/);
  const closed = l.close();
  release();
  const answer = await first;
  assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(answer, /\r\nConnection: close\r\n/i);
  assert.match(answer, /late$/);
  await closed;
});
