// A raw IMAP client that records what a server sends as a transcript: one entry per response
// (RFC 9051 2.2.2), literals kept byte for byte. The harness compares transcripts; nothing here
// interprets them beyond finding where a response ends.
import net from 'node:net';

// One server response: its text with each literal's octets in place ("{n}\r\n" + n octets), as
// latin1 so that every byte survives.
export type Response = string;

export class TranscriptClient {
  private socket: net.Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (b: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, b]) : b;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  // localAddress: a loopback address of its own (127.0.0.x), as a client on another host.
  static async connect(port: number, localAddress?: string): Promise<TranscriptClient> {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new TranscriptClient(socket);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  // Waits for more input; false on timeout or when the connection is closed.
  private more(timeoutMs: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  // The next complete response, or null when none arrives within timeoutMs.
  async response(timeoutMs: number): Promise<Response | null> {
    const deadline = Date.now() + timeoutMs;
    let start = 0;
    for (;;) {
      const eol = this.buffer.indexOf('\r\n', start);
      if (eol >= 0) {
        const literal = /\{(\d+)\+?\}$/.exec(this.buffer.toString('latin1', Math.max(start, eol - 24), eol));
        if (!literal) {
          const text = this.buffer.toString('latin1', 0, eol);
          this.buffer = this.buffer.subarray(eol + 2);
          return text;
        }
        const next = eol + 2 + Number(literal[1]);
        if (this.buffer.length >= next) {
          start = next;
          continue;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0 || !(await this.more(left))) return null;
    }
  }

  // Commands are written in UTF-8 (literal lengths in the scripts count UTF-8 octets).
  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
  }

  // Sends "tag command" and returns every response up to and including the tagged one (or a
  // marker when the server does not complete it in time or closes the connection).
  async command(tag: string, command: string | Buffer, timeoutMs = 10_000): Promise<Response[]> {
    this.write(typeof command === 'string' ? `${tag} ${command}\r\n` : Buffer.concat([Buffer.from(`${tag} `), command, Buffer.from('\r\n')]));
    return this.until((r) => r.startsWith(`${tag} `), timeoutMs);
  }

  // Responses until one satisfies done (included), or a marker on timeout or close.
  async until(done: (r: Response) => boolean, timeoutMs = 10_000): Promise<Response[]> {
    const out: Response[] = [];
    for (;;) {
      const r = await this.response(timeoutMs);
      if (r === null) {
        out.push(this.closed ? '<connection closed>' : '<no response>');
        return out;
      }
      out.push(r);
      if (done(r)) return out;
    }
  }

  // Exactly n responses, or a marker when fewer arrive within timeoutMs.
  async take(n: number, timeoutMs = 5_000): Promise<Response[]> {
    let left = n;
    return this.until(() => --left === 0, timeoutMs);
  }

  // Whatever arrives within ms (used to show that nothing more was sent).
  async drain(ms: number): Promise<Response[]> {
    const out: Response[] = [];
    for (;;) {
      const r = await this.response(ms);
      if (r === null) return out;
      out.push(r);
    }
  }

  close(): void {
    this.socket.destroy();
  }
}
