// The transport under a line-based session (IMAP, POP3): pull-style reads of lines and counted
// bytes, batched writes with backpressure, STARTTLS that discards pipelined plaintext,
// COMPRESS=DEFLATE, and an idle timer. Protocol code never touches the socket itself.
import type net from 'node:net';
import tls from 'node:tls';
import zlib from 'node:zlib';
import type { TlsManager } from '../tls/manager.ts';
import { canonicalIp } from './address.ts';

export class LineTooLongError extends Error {
  constructor(limit: number) {
    super(`line longer than ${limit} bytes`);
    this.name = 'LineTooLongError';
  }
}

// Reading stops (the socket is paused) while this much input waits unread.
const HIGH_WATER = 256 * 1024;
// Output is gathered until a batch holds this much, then sent.
const BATCH_BYTES = 64 * 1024;
// A Buffer this large (an IMAP literal, a POP3 message piece) goes to the socket as it is,
// without being copied into a batch.
const LARGE_PIECE = 16 * 1024;
const TRUE = Promise.resolve(true);
const FALSE = Promise.resolve(false);

export class Connection {
  socket: net.Socket;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly localPort: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  private wake: (() => void) | null = null;
  private discarding = false; // skipping the rest of an over-long line
  private scanned = 0; // buffered bytes already searched for a line end
  private inflate: zlib.InflateRaw | null = null;
  private deflate: zlib.DeflateRaw | null = null;
  private onData = (b: Buffer) => this.push(b);
  private onEnd = () => this.finish();
  private closed = false;
  // Output not yet handed to the socket, and its size (characters of strings, bytes of Buffers).
  private batch: (string | Buffer)[] = [];
  private batchSize = 0;
  private flushScheduled = false;
  private flushLater = () => {
    this.flushScheduled = false;
    this.send();
  };
  // While the socket's buffer is full: resolves when it drains (true) or closes (false).
  private draining: Promise<boolean> | null = null;

  constructor(socket: net.Socket) {
    this.socket = socket;
    this.remoteAddress = canonicalIp(socket.remoteAddress ?? '');
    this.remotePort = socket.remotePort ?? 0;
    this.localPort = socket.localPort ?? 0;
    this.attach(socket);
    socket.on('error', () => this.finish());
  }

  get secure(): boolean {
    return this.socket instanceof tls.TLSSocket && this.socket.encrypted;
  }

  get compressed(): boolean {
    return this.deflate !== null;
  }

  get isClosed(): boolean {
    return this.closed || this.socket.destroyed;
  }

  // The next line without its CRLF (a bare LF is accepted too), or null at end of input.
  // A line over maxLength throws LineTooLongError once; the rest of it is skipped. Each byte is
  // searched once however the line arrives (one byte per packet costs no more than one packet).
  async readLine(maxLength: number): Promise<Buffer | null> {
    for (;;) {
      const lf = this.findLf();
      if (this.discarding) {
        this.drop(lf >= 0 ? lf + 1 : this.buffered);
        if (lf >= 0) {
          this.discarding = false;
          continue;
        }
      } else if (lf >= 0) {
        const line = this.take(lf + 1);
        const end = lf > 0 && line[lf - 1] === 0x0d ? lf - 1 : lf;
        if (end > maxLength) throw new LineTooLongError(maxLength);
        return line.subarray(0, end);
      } else if (this.buffered > maxLength + 1) {
        this.drop(this.buffered);
        this.discarding = true;
        throw new LineTooLongError(maxLength);
      }
      if (this.ended) return null;
      await this.more();
    }
  }

  // Exactly n bytes (an IMAP literal), or null when the input ends first.
  async readBytes(n: number): Promise<Buffer | null> {
    while (this.buffered < n) {
      if (this.ended) return null;
      await this.more();
    }
    return this.take(n);
  }

  // Passes the next n bytes to sink as they arrive, piece by piece, without gathering them
  // (a large IMAP literal goes straight into its MessageBuffer). False when the input ends first.
  async readInto(n: number, sink: (piece: Buffer) => void): Promise<boolean> {
    let left = n;
    while (left > 0) {
      if (this.chunks.length === 0) {
        if (this.ended) return false;
        await this.more();
        continue;
      }
      const first = this.chunks[0]!;
      const piece = first.length <= left ? first : first.subarray(0, left);
      this.drop(piece.length);
      left -= piece.length;
      sink(piece);
    }
    return true;
  }

  // Output, one implementation for every protocol: data is gathered into a batch, sent when the
  // batch is full, on flush(), or at the end of this turn of the event loop at the latest (so
  // small replies written one after another leave in one packet). False means the socket's
  // buffer is full (or the peer is gone): a writer with more to send awaits drain() first.
  write(data: string | Buffer): boolean {
    if (this.isClosed) return false;
    this.batch.push(data);
    this.batchSize += data.length;
    if (this.batchSize >= BATCH_BYTES) this.send();
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushLater);
    }
    return this.draining === null && !this.isClosed;
  }

  // Sends the batch now; resolves when the socket may take more, false when the peer is gone.
  flush(): Promise<boolean> {
    this.send();
    return this.drain();
  }

  // Resolves when the socket's buffer has room (at once when it has), false when the peer is gone.
  drain(): Promise<boolean> {
    if (this.isClosed) return FALSE;
    return this.draining ?? TRUE;
  }

  // Hands the batch to the socket (or the compressor) in one synchronous pass, so output keeps
  // its order whoever flushes: runs of small pieces joined into one write, large Buffers written
  // as they are.
  private send(): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    const out = this.deflate ?? this.socket;
    let ok = true;
    if (!this.isClosed) {
      let from = 0;
      for (let i = 0; i <= batch.length; i++) {
        const piece = batch[i];
        if (piece !== undefined && (typeof piece === 'string' || piece.length < LARGE_PIECE)) continue;
        if (i > from) ok = out.write(i - from === 1 ? batch[from]! : joined(batch, from, i));
        if (piece !== undefined) ok = out.write(piece);
        from = i + 1;
      }
      if (this.deflate) this.deflate.flush(zlib.constants.Z_SYNC_FLUSH);
    }
    batch.length = 0;
    this.batchSize = 0;
    if (!ok && !this.draining) {
      this.draining = new Promise<boolean>((resolve) => {
        const done = () => {
          out.off('drain', done);
          this.socket.off('close', done);
          this.draining = null;
          resolve(!this.isClosed);
        };
        out.on('drain', done);
        this.socket.on('close', done);
      });
    }
  }

  // RFC 3207 4.2 / RFC 2595 3.1 / RFC 9051 6.2.1: after the command that starts TLS, the client
  // must not send more before the handshake; anything it pipelined is discarded, never executed
  // (the CVE-2011-0411 class). Resolves once the handshake is complete.
  async startTls(manager: TlsManager, handshakeTimeoutMs = 30_000): Promise<number> {
    // The reply that announced TLS still goes in plaintext.
    await this.flush();
    const dropped = this.buffered;
    this.reset();
    const plain = this.socket;
    plain.off('data', this.onData);
    plain.off('end', this.onEnd);
    const secure = new tls.TLSSocket(plain, { isServer: true, ...manager.serverOptions() });
    this.socket = secure;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('TLS handshake timed out')), handshakeTimeoutMs);
      secure.once('secure', () => {
        clearTimeout(timer);
        resolve();
      });
      secure.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      secure.once('close', () => {
        clearTimeout(timer);
        reject(new Error('closed during TLS handshake'));
      });
    });
    secure.on('error', () => this.finish());
    this.attach(secure);
    return dropped;
  }

  // RFC 4978 COMPRESS=DEFLATE: from now on both directions are raw DEFLATE streams. Input is
  // inflated only as fast as it is read: a small packet that inflates to megabytes waits in the
  // socket, not in memory.
  startDeflate(): void {
    // The reply that announced compression is still sent uncompressed.
    this.send();
    const inflate = zlib.createInflateRaw();
    const deflate = zlib.createDeflateRaw({ level: 6 });
    const socket = this.socket;
    socket.off('data', this.onData);
    socket.on('data', (b: Buffer) => {
      if (!inflate.write(b)) socket.pause();
    });
    inflate.on('drain', () => socket.resume());
    inflate.on('data', (b: Buffer) => this.push(b));
    inflate.on('error', () => this.close());
    deflate.on('data', (b: Buffer) => socket.write(b));
    // Bytes that arrived compressed after the command but before this call are still raw input.
    const pending = this.chunks;
    this.reset();
    for (const b of pending) inflate.write(b);
    this.inflate = inflate;
    this.deflate = deflate;
  }

  // Calls onIdle when nothing is read or written for ms (0 turns it off).
  setIdleTimeout(ms: number, onIdle: () => void): void {
    this.socket.setTimeout(ms);
    this.socket.removeAllListeners('timeout');
    if (ms > 0) this.socket.on('timeout', onIdle);
  }

  // Sends what is queued, then closes.
  close(): void {
    if (this.closed) return;
    this.send();
    this.closed = true;
    this.inflate?.destroy();
    const deflate = this.deflate;
    if (deflate) {
      // RFC 4978: the last responses (LOGOUT's BYE and OK, RFC 9051 7.1.5) are still being compressed; the
      // socket ends once the deflate stream has handed over its final bytes.
      deflate.once('end', () => this.socket.end());
      deflate.once('error', () => this.socket.destroy());
      deflate.end();
    } else {
      this.socket.end();
    }
    // A peer that never reads must not keep the socket open.
    setTimeout(() => this.socket.destroy(), 5000).unref();
    this.finish();
  }

  destroy(): void {
    this.batch.length = 0;
    this.batchSize = 0;
    this.closed = true;
    this.socket.destroy();
    this.finish();
  }

  private attach(socket: net.Socket): void {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
  }

  private push(b: Buffer): void {
    this.chunks.push(b);
    this.buffered += b.length;
    if (this.buffered > HIGH_WATER) (this.inflate ?? this.socket).pause();
    this.signal();
  }

  private reset(): void {
    this.chunks = [];
    this.buffered = 0;
    this.scanned = 0;
  }

  private finish(): void {
    this.ended = true;
    this.signal();
  }

  private signal(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private more(): Promise<void> {
    const source = this.inflate ?? this.socket;
    if (source.isPaused() && !this.closed) source.resume();
    return new Promise((r) => (this.wake = r));
  }

  // Position of the first LF in the buffered input, or -1. Bytes searched before are not
  // searched again.
  private findLf(): number {
    let base = 0;
    for (const c of this.chunks) {
      if (base + c.length > this.scanned) {
        const lf = c.indexOf(0x0a, Math.max(0, this.scanned - base));
        if (lf >= 0) return base + lf;
      }
      base += c.length;
    }
    this.scanned = base;
    return -1;
  }

  // The first n buffered bytes, in one Buffer of their own, consumed.
  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    const out = first.length >= n ? Buffer.from(first.subarray(0, n)) : Buffer.concat(this.chunks, this.buffered).subarray(0, n);
    this.drop(n);
    return out;
  }

  // Consumes the first n buffered bytes.
  private drop(n: number): void {
    this.buffered -= n;
    this.scanned = Math.max(0, this.scanned - n);
    while (n > 0) {
      const first = this.chunks[0]!;
      if (first.length <= n) {
        this.chunks.shift();
        n -= first.length;
      } else {
        this.chunks[0] = first.subarray(n);
        n = 0;
      }
    }
  }
}

// batch[from..to) as one Buffer.
function joined(batch: (string | Buffer)[], from: number, to: number): Buffer {
  let size = 0;
  for (let i = from; i < to; i++) {
    const piece = batch[i]!;
    size += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length;
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = from; i < to; i++) {
    const piece = batch[i]!;
    at += typeof piece === 'string' ? out.write(piece, at) : piece.copy(out, at);
  }
  return out;
}
