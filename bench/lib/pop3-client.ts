// A raw-socket POP3 client for benchmarks (RFC 1939): one command at a time, timed from writing it
// to the end of its reply (the "+OK" line, or the terminating "." of a multi-line one).
import net from 'node:net';

export interface Pop3Reply {
  ok: boolean;
  first: string;
  lines: number;
  ms: number;
}

const TIMEOUT_MS = 600_000;

export class Pop3Client {
  private buffered = '';
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  private socket: net.Socket;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('latin1');
    socket.on('data', (s: string) => {
      this.buffered += s;
      this.wake?.();
    });
    const fail = (e: Error) => {
      this.failure ??= e;
      this.wake?.();
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('POP3 connection closed')));
  }

  // Connects and waits for the greeting; ms is the time to the greeting.
  static async connect(port: number): Promise<{ client: Pop3Client; ms: number }> {
    const start = performance.now();
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    const client = new Pop3Client(socket);
    const greeting = await client.reply(false);
    if (!greeting.ok) throw new Error(`POP3 greeting: ${greeting.first}`);
    return { client, ms: performance.now() - start };
  }

  // Waits until the buffer holds a whole reply: one line, or (multi) lines up to ".".
  private async reply(multi: boolean): Promise<Pop3Reply> {
    const start = performance.now();
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const eol = this.buffered.indexOf('\r\n');
      if (eol >= 0) {
        const first = this.buffered.slice(0, eol);
        const ok = first.startsWith('+OK');
        if (!multi || !ok) {
          this.buffered = this.buffered.slice(eol + 2);
          return { ok, first, lines: 0, ms: performance.now() - start };
        }
        // RFC 1939 3: a multi-line reply ends with a line holding only ".".
        const end = this.buffered.startsWith('.\r\n', eol + 2) ? eol + 2 : this.buffered.indexOf('\r\n.\r\n', eol);
        if (end >= 0) {
          const stop = end === eol + 2 ? end + 3 : end + 5;
          const body = this.buffered.slice(eol + 2, stop);
          this.buffered = this.buffered.slice(stop);
          return { ok, first, lines: body.split('\r\n').length - 2, ms: performance.now() - start };
        }
      }
      if (this.failure) throw this.failure;
      if (Date.now() > deadline) throw new Error('POP3 reply timed out');
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
      this.wake = null;
    }
  }

  async command(text: string, multi = false): Promise<Pop3Reply> {
    const start = performance.now();
    this.socket.write(`${text}\r\n`);
    const r = await this.reply(multi);
    return { ...r, ms: performance.now() - start };
  }

  async quit(): Promise<void> {
    await this.command('QUIT').catch(() => undefined);
    this.socket.destroy();
  }
}
