// The transport under a line-based session (IMAP, POP3): pull-style reads of lines and counted
// bytes, writes with backpressure, STARTTLS that discards pipelined plaintext, COMPRESS=DEFLATE,
// and an idle timer. Protocol code never touches the socket itself.
import type net from 'node:net';
import tls from 'node:tls';
import zlib from 'node:zlib';
import type { TlsManager } from '../tls/manager.ts';

export class LineTooLongError extends Error {
  constructor(limit: number) {
    super(`line longer than ${limit} bytes`);
    this.name = 'LineTooLongError';
  }
}

// Reading stops (the socket is paused) while this much input waits unread.
const HIGH_WATER = 256 * 1024;

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
  private inflate: zlib.InflateRaw | null = null;
  private deflate: zlib.DeflateRaw | null = null;
  private onData = (b: Buffer) => this.push(b);
  private onEnd = () => this.finish();
  private closed = false;

  constructor(socket: net.Socket) {
    this.socket = socket;
    this.remoteAddress = normalizeAddress(socket.remoteAddress ?? '');
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
  // A line over maxLength throws LineTooLongError once; the rest of it is skipped.
  async readLine(maxLength: number): Promise<Buffer | null> {
    for (;;) {
      const data = this.peek();
      const lf = data.indexOf(0x0a);
      if (this.discarding) {
        this.consume(lf >= 0 ? lf + 1 : data.length);
        if (lf >= 0) {
          this.discarding = false;
          continue;
        }
      } else if (lf >= 0) {
        const end = lf > 0 && data[lf - 1] === 0x0d ? lf - 1 : lf;
        if (end > maxLength) {
          this.consume(lf + 1);
          throw new LineTooLongError(maxLength);
        }
        const line = Buffer.from(data.subarray(0, end));
        this.consume(lf + 1);
        return line;
      } else if (data.length > maxLength + 1) {
        this.consume(data.length);
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
    const data = this.peek();
    const out = Buffer.from(data.subarray(0, n));
    this.consume(n);
    return out;
  }

  // Resolves false when the peer is gone; waits for the socket to drain when its buffer is full.
  async write(data: string | Buffer): Promise<boolean> {
    if (this.isClosed) return false;
    const out = this.deflate ?? this.socket;
    const ok = out.write(data);
    if (this.deflate) this.deflate.flush(zlib.constants.Z_SYNC_FLUSH);
    if (!ok && !this.isClosed) await new Promise<void>((r) => { out.once('drain', r); this.socket.once('close', r); });
    return !this.isClosed;
  }

  // RFC 3207 4.2 / RFC 2595 3.1 / RFC 9051 6.2.1: after the command that starts TLS, the client
  // must not send more before the handshake; anything it pipelined is discarded, never executed
  // (the CVE-2011-0411 class). Resolves once the handshake is complete.
  async startTls(manager: TlsManager, handshakeTimeoutMs = 30_000): Promise<number> {
    const dropped = this.buffered;
    this.chunks = [];
    this.buffered = 0;
    const plain = this.socket;
    plain.off('data', this.onData);
    plain.off('end', this.onEnd);
    const secure = new tls.TLSSocket(plain, { isServer: true, ...manager.serverOptions() });
    this.socket = secure;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('TLS handshake timed out')), handshakeTimeoutMs);
      secure.once('secure', () => (clearTimeout(timer), resolve()));
      secure.once('error', (e) => (clearTimeout(timer), reject(e)));
      secure.once('close', () => (clearTimeout(timer), reject(new Error('closed during TLS handshake'))));
    });
    secure.on('error', () => this.finish());
    this.attach(secure);
    return dropped;
  }

  // RFC 4978 COMPRESS=DEFLATE: from now on both directions are raw DEFLATE streams.
  startDeflate(): void {
    const inflate = zlib.createInflateRaw();
    const deflate = zlib.createDeflateRaw({ level: 6 });
    this.socket.off('data', this.onData);
    this.socket.on('data', (b: Buffer) => inflate.write(b));
    inflate.on('data', (b: Buffer) => this.push(b));
    inflate.on('error', () => this.close());
    deflate.on('data', (b: Buffer) => this.socket.write(b));
    // Bytes that arrived compressed after the command but before this call are still raw input.
    const pending = this.peek();
    this.chunks = [];
    this.buffered = 0;
    if (pending.length) inflate.write(pending);
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
    this.closed = true;
    this.deflate?.end();
    this.inflate?.destroy();
    this.socket.end();
    // A peer that never reads must not keep the socket open.
    setTimeout(() => this.socket.destroy(), 5000).unref();
    this.finish();
  }

  destroy(): void {
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
    if (this.buffered > HIGH_WATER) this.socket.pause();
    this.signal();
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
    if (this.socket.isPaused() && !this.closed) this.socket.resume();
    return new Promise((r) => (this.wake = r));
  }

  private peek(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  private consume(n: number): void {
    const rest = this.peek().subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered = rest.length;
  }
}

// "::ffff:192.0.2.1" -> "192.0.2.1", so limits and logs see one form per client.
export function normalizeAddress(a: string): string {
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}
