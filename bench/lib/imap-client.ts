// A raw-socket IMAP client for benchmarks: one tagged command at a time, the time from writing it
// to its tagged reply, and the untagged responses counted (or kept when asked). Literals in
// responses (RFC 9051 4.3) are skipped by their byte count, never buffered, and lines are handed
// to the command under way synchronously as they are cut, with no promise or queue step per line,
// so a 50,000-line answer costs the client little whatever the size of the server's writes: the
// time measured is the server's.
import net from 'node:net';

export interface ImapReply {
  ok: boolean;
  tagged: string;
  untagged: number;
  lines: string[]; // untagged lines, when kept
  ms: number;
}

const LITERAL = /\{(\d+)\+?\}\r?\n$/;
const TIMEOUT_MS = 600_000;

export class ImapClient {
  private socket: net.Socket;
  private partial: Buffer[] = [];
  private literalLeft = 0;
  private continued = false; // the line under way continues a response after a literal
  private waiter: ((line: string) => void) | null = null;
  // Lines that came while no command waited (queued[head] is the next).
  private queued: string[] = [];
  private head = 0;
  private failure: Error | null = null;
  private tags = 0;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.take(chunk));
    const fail = (e: Error) => {
      this.failure ??= e;
      this.waiter?.('');
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('IMAP connection closed')));
  }

  static async connect(port: number): Promise<ImapClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.setNoDelay(true);
    const c = new ImapClient(socket);
    const greeting = await c.line();
    if (!greeting.startsWith('* OK')) throw new Error(`IMAP greeting: ${greeting}`);
    return c;
  }

  static async login(port: number, user: string, password: string): Promise<ImapClient> {
    const c = await ImapClient.connect(port);
    const r = await c.command(`LOGIN ${quote(user)} ${quote(password)}`);
    if (!r.ok) throw new Error(`IMAP LOGIN ${user}: ${r.tagged}`);
    return c;
  }

  // Complete lines only; a literal's bytes are counted down and dropped.
  private take(chunk: Buffer): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.literalLeft > 0) {
        const n = Math.min(this.literalLeft, chunk.length - i);
        this.literalLeft -= n;
        i += n;
        continue;
      }
      const lf = chunk.indexOf(10, i);
      if (lf < 0) {
        this.partial.push(chunk.subarray(i));
        return;
      }
      const bytes = this.partial.length ? Buffer.concat([...this.partial, chunk.subarray(i, lf + 1)]) : chunk.subarray(i, lf + 1);
      this.partial = [];
      i = lf + 1;
      const line = bytes.toString('latin1');
      const literal = LITERAL.exec(line.slice(-24));
      if (literal) this.literalLeft = Number(literal[1]);
      // A line that follows a literal belongs to the response before it.
      if (!this.continued) this.deliver(line.replace(/\r?\n$/, ''));
      this.continued = literal !== null;
    }
  }

  private deliver(line: string): void {
    if (this.waiter) this.waiter(line);
    else this.queued.push(line);
  }

  // Hands each line to `consume` as it comes, until it returns true for the last one it wants.
  private until(consume: (line: string) => boolean): Promise<void> {
    return new Promise((resolve, reject) => {
      let open = true;
      const finish = (e: Error | null) => {
        open = false;
        clearTimeout(timer);
        this.waiter = null;
        if (e) reject(e);
        else resolve();
      };
      const timer = setTimeout(() => finish(new Error('IMAP reply timed out')), TIMEOUT_MS);
      this.waiter = (line) => {
        if (this.failure) finish(this.failure);
        else if (consume(line)) finish(null);
      };
      while (open && this.head < this.queued.length) this.waiter(this.queued[this.head++]!);
      if (this.head === this.queued.length) {
        this.queued = [];
        this.head = 0;
      }
      if (open && this.failure) finish(this.failure);
    });
  }

  private async line(): Promise<string> {
    let got = '';
    await this.until((line) => {
      got = line;
      return true;
    });
    return got;
  }

  // Sends one command and collects until its tagged reply.
  async command(text: string, opts: { keep?: boolean } = {}): Promise<ImapReply> {
    const tag = `b${++this.tags}`;
    const reply: ImapReply = { ok: false, tagged: '', untagged: 0, lines: [], ms: 0 };
    const start = performance.now();
    this.socket.write(`${tag} ${text}\r\n`);
    await this.until((line) => {
      if (!line.startsWith(`${tag} `)) {
        reply.untagged++;
        if (opts.keep) reply.lines.push(line);
        return false;
      }
      reply.ms = performance.now() - start;
      reply.tagged = line;
      reply.ok = line.startsWith(`${tag} OK`);
      return true;
    });
    return reply;
  }

  async logout(): Promise<void> {
    await this.command('LOGOUT').catch(() => undefined);
    this.socket.destroy();
  }
}

export const quote = (s: string) => `"${s.replace(/[\\"]/g, '\\$&')}"`;

// The number in a response code or attribute, such as UIDVALIDITY or HIGHESTMODSEQ, from kept lines.
export function numberAfter(lines: string[], name: string): number | null {
  for (const l of lines) {
    const m = new RegExp(`${name} (\\d+)`).exec(l);
    if (m) return Number(m[1]);
  }
  return null;
}
