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
  return { conn, client, close: () => (client.destroy(), conn.destroy(), server.close()) };
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
    client.write('z'.repeat(300) + '\r\nnext\r\n');
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
  const manager = new TlsManager({ certFile: path.join(dir, 'c.pem'), keyFile: path.join(dir, 'k.pem'), hostname: 'localhost', domains: [], log: silentLogger });
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
