// The Connection under IMAP and POP3: line and literal reads, STARTTLS, COMPRESS=DEFLATE, and
// the batched writer (joining, large pieces, end-of-tick flush, backpressure).
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';
import tls from 'node:tls';
import zlib from 'node:zlib';
import path from 'node:path';
import { silentLogger } from '../log/log.ts';
import { TlsManager } from '../tls/manager.ts';
import { tempDir } from '../../test/support/temp-store.ts';
import { Connection, LineTooLongError } from './connection.ts';

// A connected pair: the server side wrapped in a Connection, the client a plain socket.
async function pair(): Promise<{ conn: Connection; client: net.Socket; close(): void }> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const accepted = new Promise<net.Socket>((r) => server.once('connection', r));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  const conn = new Connection(await accepted);
  return {
    conn,
    client,
    close: () => {
      client.destroy();
      conn.destroy();
      server.close();
    },
  };
}

test('lines: CRLF and bare LF, split across packets, over-long lines refused once and skipped', async () => {
  const { conn, client, close } = await pair();
  try {
    client.write('A1 NOOP\r\nA2 ');
    assert.equal((await conn.readLine(100))!.toString(), 'A1 NOOP');
    client.write('LOGOUT\nx');
    assert.equal((await conn.readLine(100))!.toString(), 'A2 LOGOUT');
    client.write('y'.repeat(300));
    await assert.rejects(conn.readLine(100), LineTooLongError);
    client.write(`${'z'.repeat(300)}\r\nnext\r\n`);
    assert.equal((await conn.readLine(100))!.toString(), 'next', 'the rest of the long line is skipped');
    client.write('{5}\r\nhello world\r\n');
    assert.equal((await conn.readLine(100))!.toString(), '{5}');
    assert.equal((await conn.readBytes(5))!.toString(), 'hello');
    assert.equal((await conn.readLine(100))!.toString(), ' world');
    client.end();
    assert.equal(await conn.readLine(100), null);
  } finally {
    close();
  }
});

test('a large literal arrives whole through backpressure', async () => {
  const { conn, client, close } = await pair();
  try {
    const big = Buffer.alloc(3 * 1024 * 1024, 'm');
    client.write(big);
    const got = await conn.readBytes(big.length);
    assert.equal(got!.length, big.length);
  } finally {
    close();
  }
});

test('STARTTLS discards plaintext pipelined after the command (CVE-2011-0411 class)', async () => {
  const dir = tempDir();
  const manager = new TlsManager({
    certFile: path.join(dir, 'c.pem'),
    keyFile: path.join(dir, 'k.pem'),
    hostname: 'localhost',
    domains: [],
    log: silentLogger,
  });
  const { conn, client, close } = await pair();
  try {
    client.write('S1 STARTTLS\r\nS2 INJECTED\r\n');
    assert.equal((await conn.readLine(100))!.toString(), 'S1 STARTTLS');
    await new Promise((r) => setTimeout(r, 50));
    const upgraded = conn.startTls(manager);
    const secure = tls.connect({ socket: client, rejectUnauthorized: false });
    assert.equal(await upgraded, 'S2 INJECTED\r\n'.length);
    assert.ok(conn.secure);
    secure.write('S3 AFTER\r\n');
    assert.equal((await conn.readLine(100))!.toString(), 'S3 AFTER');
    await conn.write('* OK secure\r\n');
    const reply = await new Promise<string>((r) => secure.once('data', (b) => r(b.toString())));
    assert.equal(reply, '* OK secure\r\n');
    assert.ok(['TLSv1.2', 'TLSv1.3'].includes(secure.getProtocol()!));
    secure.destroy();
  } finally {
    close();
  }
});

test('COMPRESS=DEFLATE: both directions become raw deflate streams', async () => {
  const { conn, client, close } = await pair();
  try {
    conn.startDeflate();
    const deflate = zlib.createDeflateRaw();
    deflate.pipe(client);
    deflate.write('C1 NOOP\r\n');
    deflate.flush(zlib.constants.Z_SYNC_FLUSH);
    assert.equal((await conn.readLine(100))!.toString(), 'C1 NOOP');
    const inflate = zlib.createInflateRaw();
    client.pipe(inflate);
    await conn.write('C1 OK done\r\n');
    const reply = await new Promise<string>((r) => inflate.once('data', (b) => r(b.toString())));
    assert.equal(reply, 'C1 OK done\r\n');
  } finally {
    close();
  }
});

// Counts the writes that reach the socket.
function countWrites(conn: Connection): { writes: number } {
  const counter = { writes: 0 };
  const write = conn.socket.write.bind(conn.socket) as (data: string | Buffer) => boolean;
  conn.socket.write = ((data: string | Buffer) => {
    counter.writes++;
    return write(data);
  }) as typeof conn.socket.write;
  return counter;
}

// The next `bytes` bytes the client reads (the socket stays open).
function receive(client: net.Socket, bytes: number): Promise<Buffer> {
  const got: Buffer[] = [];
  let n = 0;
  return new Promise((resolve) => {
    const onData = (b: Buffer) => {
      got.push(b);
      n += b.length;
      if (n < bytes) return;
      client.off('data', onData);
      resolve(Buffer.concat(got));
    };
    client.on('data', onData);
  });
}

test('batched writes: small pieces are joined, a large Buffer goes as it is, order is kept', async () => {
  const { conn, client, close } = await pair();
  try {
    const counter = countWrites(conn);
    const large = Buffer.alloc(20 * 1024, 'L');
    for (let i = 0; i < 10; i++) assert.equal(conn.write(`* ${i} línea\r\n`), true);
    conn.write(Buffer.from('tail-of-small\r\n'));
    conn.write(large);
    conn.write('A1 OK done\r\n');
    assert.equal(counter.writes, 0, 'nothing is sent before a flush');
    assert.equal(await conn.flush(), true);
    assert.equal(counter.writes, 3, 'the small pieces, the large Buffer, the last line');
    const expected = Buffer.concat([
      ...Array.from({ length: 10 }, (_, i) => Buffer.from(`* ${i} línea\r\n`)),
      Buffer.from('tail-of-small\r\n'),
      large,
      Buffer.from('A1 OK done\r\n'),
    ]);
    assert.deepEqual(await receive(client, expected.length), expected);
    // Without flush(), what was written leaves at the end of this turn of the event loop.
    conn.write('* later\r\n');
    assert.equal((await receive(client, 9)).toString(), '* later\r\n');
    // close() sends what is still batched first.
    conn.write('* BYE\r\n');
    conn.close();
    assert.equal((await receive(client, 7)).toString(), '* BYE\r\n');
  } finally {
    close();
  }
});

test('batched writes wait for a client that does not read (drain), and go on once it does', async () => {
  const { conn, client, close } = await pair();
  try {
    client.pause();
    const piece = Buffer.alloc(64 * 1024, 'x');
    let written = 0;
    while (conn.write(piece)) written += piece.length;
    written += piece.length;
    assert.ok(written < 64 * 1024 * 1024, 'the socket filled up');
    let drained = false;
    const waiting = conn.drain().then((ok) => {
      drained = true;
      return ok;
    });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(drained, false, 'drain() waits while the client reads nothing');
    assert.equal(conn.write('end\r\n'), false, 'more may be queued, but the writer is told to wait');
    client.resume();
    const all = receive(client, written + 5);
    assert.equal(await waiting, true);
    assert.equal(await conn.flush(), true);
    const got = await all;
    assert.equal(got.length, written + 5);
    assert.equal(got.subarray(-5).toString(), 'end\r\n');
  } finally {
    close();
  }
});

test('batched writes to a closed connection report false', async () => {
  const { conn, client, close } = await pair();
  try {
    client.destroy();
    await new Promise((r) => conn.socket.once('close', r));
    assert.equal(conn.write('* 1 EXISTS\r\n'), false);
    assert.equal(await conn.flush(), false);
    assert.equal(await conn.drain(), false);
  } finally {
    close();
  }
});
