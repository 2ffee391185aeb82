// The framer over a real socket pair: lines, literals of each kind, continuation requests, and
// limits checked on the announced size before the data is read.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import { Connection } from '../net/connection.ts';
import { MemoryBudget } from '../memory/budget.ts';
import { MessageBuffer } from '../memory/message-buffer.ts';
import { Framer, literalAtEnd, peekTagAndCommand, type FramerLimits } from './framer.ts';
import type { MessageLiterals } from './message-literals.ts';

async function pair(): Promise<{ server: Connection; client: net.Socket; received: () => string; close: () => void }> {
  const listener = net.createServer();
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => listener.once('connection', r));
  const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  let got = '';
  client.on('data', (b) => (got += b.toString('latin1')));
  const server = new Connection(await accepted);
  return {
    server,
    client,
    received: () => got,
    close: () => {
      client.destroy();
      server.destroy();
      listener.close();
    },
  };
}

const limits: FramerLimits = { maxLine: 100, maxCommand: 300, maxMessage: 20_000, oversizedLiteral: 'discard' };

function framer(conn: Connection, o: { limits?: FramerLimits; budget?: MemoryBudget } = {}): Framer {
  const budget = o.budget ?? new MemoryBudget();
  return new Framer({
    conn,
    limits: () => o.limits ?? limits,
    newMessage: (binary, size) => new MessageBuffer(budget, (o.limits ?? limits).maxMessage, { normalize: !binary, expected: size }),
  });
}

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
    const f = framer(p.server);
    p.client.write('a LOGIN {4}\r\n');
    const next = f.next();
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(p.received(), '+ Ready for literal data\r\n');
    p.client.write('user {4+}\r\npass\r\nb NOOP\r\n');
    assert.deepEqual((await next)!, { kind: 'command', parts: ['a LOGIN {4}', 'user', ' {4+}', 'pass', ''].map((s) => Buffer.from(s)), message: null });
    assert.deepEqual(await f.next(), { kind: 'command', parts: [Buffer.from('b NOOP')], message: null });
    assert.equal(p.received(), '+ Ready for literal data\r\n', 'no continuation for LITERAL+');
  } finally {
    p.close();
  }
});

test('limits: refused before reading; non-synchronizing data skipped; long lines', async () => {
  const p = await pair();
  try {
    const f = framer(p.server);
    p.client.write('a APPEND INBOX {20001}\r\n');
    assert.deepEqual(await f.next(), { kind: 'refused', tag: 'a', command: 'APPEND', code: 'TOOBIG', reason: 'Message too large' });
    p.client.write(`b LOGIN {400+}\r\n${'x'.repeat(400)} y\r\nc NOOP\r\n`);
    assert.deepEqual(await f.next(), { kind: 'refused', tag: 'b', command: 'LOGIN', code: 'TOOBIG', reason: 'Literal too large' });
    assert.deepEqual(await f.next(), { kind: 'command', parts: [Buffer.from('c NOOP')], message: null });
    p.client.write(`d APPEND INBOX {999+}\r\n${'m'.repeat(999)}\r\n`);
    const ok = await f.next();
    assert.equal(ok!.kind, 'command');
    p.client.write(`e NOOP ${'z'.repeat(200)}\r\n`);
    assert.deepEqual(await f.next(), { kind: 'fatal', text: 'Line too long' });
    assert.equal(p.received(), '', 'nothing was invited');
  } finally {
    p.close();
  }
});

test("APPEND's message literal streams into a MessageBuffer charged to the budget; a spent budget refuses it", async () => {
  const p = await pair();
  const budget = new MemoryBudget(200_000);
  try {
    const f = framer(p.server, { budget });
    // Bare LFs become CRLF on the way in; a literal8 stays as sent.
    const body = `Subject: x\n\n${'line\n'.repeat(2000)}`;
    p.client.write(`a APPEND INBOX {${body.length}+}\r\n${body}\r\n`);
    const frame = await f.next();
    assert.equal(frame!.kind, 'command');
    const message = frame!.kind === 'command' ? frame!.message! : null;
    const view = frame!.kind === 'command' ? frame!.parts[1]! : Buffer.alloc(0);
    assert.equal(view.toString(), body.replace(/\n/g, '\r\n'));
    assert.ok(message!.bufferOf(view), 'the view in the parts leads to its buffer');
    assert.ok(budget.inUse >= body.length, 'the message is charged');
    // While it is held, a second one that does not fit is refused before it is sent.
    p.client.write('b APPEND INBOX {15000}\r\n');
    assert.deepEqual(await f.next(), {
      kind: 'refused',
      tag: 'b',
      command: 'APPEND',
      code: 'LIMIT',
      reason: 'Not enough memory for this message now; try again later',
    });
    message!.release();
    assert.equal(budget.inUse, 0);
    p.client.write('c APPEND INBOX ~{9000}\r\n');
    await new Promise((r) => setTimeout(r, 50));
    p.client.write(Buffer.concat([Buffer.from('\n'.repeat(9000)), Buffer.from('\r\n')]));
    const binary = await f.next();
    assert.ok(
      binary!.kind === 'command' &&
        binary!
          .message!.bufferOf(binary!.parts[1]!)!
          .view()
          .equals(Buffer.from('\n'.repeat(9000))),
    );
  } finally {
    p.close();
  }
});

test('MULTIAPPEND: each message literal streams into its own buffer; together they stay within the message size', async () => {
  const p = await pair();
  const budget = new MemoryBudget(500_000);
  try {
    const f = framer(p.server, { budget });
    const one = 'a'.repeat(9000);
    const two = 'b'.repeat(9500);
    const next = f.next();
    p.client.write(`a APPEND INBOX {${one.length}+}\r\n${one} (\\Seen) {5+}\r\nsmall {${two.length}}\r\n`);
    await new Promise((r) => setTimeout(r, 50));
    assert.match(p.received(), /^\+ /, 'a synchronizing literal of a MULTIAPPEND is invited');
    p.client.write(`${two}\r\n`);
    const frame = await next;
    assert.ok(frame?.kind === 'command' && frame.message);
    const { parts, message } = frame as { parts: Buffer[]; message: MessageLiterals };
    assert.deepEqual(
      parts.map((b) => message.bufferOf(b)?.view().toString()[0] ?? b.toString().slice(0, 25)),
      ['a APPEND INBOX {9000+}', 'a', ' (\\Seen) {5+}', 'small', ' {9500}', 'b', ''],
    );
    message.release();
    assert.equal(budget.inUse, 0, 'released together');
    // 9000 + 12000 > 20000: the second is refused before it is sent.
    p.client.write(`b APPEND INBOX {9000+}\r\n${one} {12000}\r\n`);
    assert.deepEqual(await f.next(), { kind: 'refused', tag: 'b', command: 'APPEND', code: 'TOOBIG', reason: 'Messages too large together for one APPEND' });
    assert.equal(budget.inUse, 0, 'the first one is given back');
  } finally {
    p.close();
  }
});

test('MULTIAPPEND of many small messages: gathered ones leave the lines room, the rest stream; at most 100 messages', async () => {
  const p = await pair();
  try {
    const budget = new MemoryBudget(20_000_000);
    const f = framer(p.server, { budget, limits: { maxLine: 100, maxCommand: 1000, maxMessage: 100_000, oversizedLiteral: 'discard' } });
    // 50 messages of 100 octets: 5,000 octets of literals and 450 of lines, for a command of at most 1,000.
    const body = 'x'.repeat(100);
    p.client.write(`a APPEND INBOX${` {100+}\r\n${body}`.repeat(50)}\r\n`);
    const frame = await f.next();
    assert.equal(frame?.kind, 'command', JSON.stringify(frame));
    const { parts, message } = frame as { parts: Buffer[]; message: MessageLiterals };
    const literals = parts.filter((_, i) => i % 2 === 1);
    assert.equal(literals.length, 50);
    assert.ok(literals.every((l) => l.toString() === body));
    const streamed = literals.filter((l) => message.bufferOf(l)).length;
    assert.ok(streamed > 0 && streamed < 50, `${streamed} streamed`);
    message.release();
    // The 101st message of one APPEND is refused before it is read; the rest of the command is skipped.
    p.client.write(`b APPEND INBOX${` {600+}\r\n${'y'.repeat(600)}`.repeat(102)}\r\nc NOOP\r\n`);
    assert.deepEqual(await f.next(), { kind: 'refused', tag: 'b', command: 'APPEND', code: 'LIMIT', reason: 'At most 100 messages in one APPEND' });
    assert.equal(budget.inUse, 0, 'the 100 held are given back');
    assert.deepEqual(await f.next(), { kind: 'command', parts: [Buffer.from('c NOOP')], message: null });
  } finally {
    p.close();
  }
});

test('before login: small limits; an oversized non-synchronizing literal ends the connection', async () => {
  const p = await pair();
  try {
    const f = framer(p.server, { limits: { maxLine: 100, maxCommand: 100, maxMessage: 0, oversizedLiteral: 'close' } });
    p.client.write('a APPEND INBOX {52428000}\r\n');
    assert.deepEqual(await f.next(), { kind: 'refused', tag: 'a', command: 'APPEND', code: 'TOOBIG', reason: 'Literal too large' });
    p.client.write('b APPEND INBOX {52428000+}\r\nxxxx');
    assert.deepEqual(await f.next(), { kind: 'fatal', text: 'Literal too large' });
    assert.equal(p.received(), '', 'no continuation was sent');
  } finally {
    p.close();
  }
});
