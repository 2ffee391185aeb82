// The framer over a real socket pair: lines, literals of each kind, continuation requests, and
// limits checked on the announced size before the data is read.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { Connection } from '../net/connection.ts';
import { Framer, literalAtEnd, peekTagAndCommand } from './framer.ts';

async function pair(): Promise<{ server: Connection; client: net.Socket; received: () => string; close: () => void }> {
  const listener = net.createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => listener.once('connection', r));
  const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  let got = '';
  client.on('data', (b) => (got += b.toString('latin1')));
  const server = new Connection(await accepted);
  return { server, client, received: () => got, close: () => (client.destroy(), server.destroy(), listener.close()) };
}

const limits = { maxLine: 100, maxCommand: 300, maxMessage: 1000 };

test('literal announcements', () => {
  assert.deepEqual(literalAtEnd(Buffer.from('A APPEND x {12}')), { size: 12, sync: true, binary: false });
  assert.deepEqual(literalAtEnd(Buffer.from('A APPEND x ~{3+}')), { size: 3, sync: false, binary: true });
  assert.equal(literalAtEnd(Buffer.from('A NOOP {x}')), null);
  assert.equal(literalAtEnd(Buffer.from('A NOOP')), null);
  assert.deepEqual(peekTagAndCommand(Buffer.from('t1 uid fetch 1 FLAGS')), { tag: 't1', command: 'UID FETCH' });
  assert.deepEqual(peekTagAndCommand(Buffer.from('+x NOOP')), { tag: '*', command: '' });
});

test('commands with synchronizing and non-synchronizing literals', async () => {
  const p = await pair();
  try {
    const framer = new Framer(p.server, limits);
    p.client.write('a LOGIN {4}\r\n');
    const next = framer.next();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(p.received(), '+ Ready for literal data\r\n');
    p.client.write('user {4+}\r\npass\r\nb NOOP\r\n');
    assert.deepEqual((await next)!, { kind: 'command', parts: ['a LOGIN {4}', 'user', ' {4+}', 'pass', ''].map((s) => Buffer.from(s)) });
    assert.deepEqual(await framer.next(), { kind: 'command', parts: [Buffer.from('b NOOP')] });
    assert.equal(p.received(), '+ Ready for literal data\r\n', 'no continuation for LITERAL+');
  } finally {
    p.close();
  }
});

test('limits: refused before reading; non-synchronizing data skipped; long lines', async () => {
  const p = await pair();
  try {
    const framer = new Framer(p.server, limits);
    p.client.write('a APPEND INBOX {1001}\r\n');
    assert.deepEqual(await framer.next(), { kind: 'refused', tag: 'a', command: 'APPEND', reason: 'Message too large' });
    p.client.write(`b LOGIN {400+}\r\n${'x'.repeat(400)} y\r\nc NOOP\r\n`);
    assert.deepEqual(await framer.next(), { kind: 'refused', tag: 'b', command: 'LOGIN', reason: 'Literal too large' });
    assert.deepEqual(await framer.next(), { kind: 'command', parts: [Buffer.from('c NOOP')] });
    p.client.write(`d APPEND INBOX {999+}\r\n${'m'.repeat(999)}\r\n`);
    const ok = await framer.next();
    assert.equal(ok!.kind, 'command');
    p.client.write('e NOOP ' + 'z'.repeat(200) + '\r\n');
    assert.deepEqual(await framer.next(), { kind: 'line-too-long' });
    assert.equal(p.received(), '', 'nothing was invited');
  } finally {
    p.close();
  }
});
