// An imaptest-like IMAP load: each client loops over sessions of LOGIN, SELECT INBOX, a FETCH of
// every message's flags, then rounds of FETCH of ten envelopes, two FETCH BODY.PEEK[] of single
// messages, STORE of a flag, APPEND of a message, STORE \Deleted of it and EXPUNGE, and LOGOUT.
// Commands go one at a time (no pipelining), as most clients send them. The mailbox keeps its size:
// only appended messages are expunged, and they sit after the BASE corpus messages, so sequence
// numbers 1..BASE stay valid in every session whatever the others expunge.
import { TranscriptClient } from '../../test/imap/dovecot-diff/client.ts';

export const COMMANDS = ['LOGIN', 'SELECT', 'FETCH flags', 'FETCH envelope', 'FETCH body', 'STORE', 'APPEND', 'EXPUNGE', 'LOGOUT'] as const;
export type Command = (typeof COMMANDS)[number];

export interface LoadStats {
  seconds: number;
  ops: Record<Command, number>;
  // Total milliseconds spent waiting for each command's answer.
  ms: Record<Command, number>;
  errors: number;
  firstErrors: string[];
}

export interface LoadOptions {
  port: number;
  users: string[];
  password: string;
  clients: number;
  seconds: number;
  // Messages in every user's INBOX that are never expunged.
  base: number;
  // Rounds of the fetch/store/append/expunge group per session.
  rounds: number;
  message(n: number): Buffer;
}

function emptyCounts(): Record<Command, number> {
  return Object.fromEntries(COMMANDS.map((c) => [c, 0])) as Record<Command, number>;
}

class Session {
  private client: TranscriptClient;
  private tags = 0;
  private stats: LoadStats;

  constructor(client: TranscriptClient, stats: LoadStats) {
    this.client = client;
    this.stats = stats;
  }

  // Sends one command, counts it, and returns its responses; a NO, BAD or missing answer is an error.
  async run(kind: Command, command: string): Promise<string[]> {
    const tag = `t${++this.tags}`;
    const started = performance.now();
    const responses = await this.client.command(tag, command, 30_000);
    this.stats.ms[kind] += performance.now() - started;
    const last = responses.at(-1) ?? '';
    if (!last.startsWith(`${tag} OK`)) {
      this.stats.errors++;
      if (this.stats.firstErrors.length < 5) this.stats.firstErrors.push(`${kind}: ${last.slice(0, 200)}`);
      if (!last.startsWith(tag)) throw new Error(`no answer to ${kind}`);
      return responses;
    }
    this.stats.ops[kind]++;
    return responses;
  }
}

const random = (n: number) => 1 + Math.floor(Math.random() * n);

async function clientLoop(o: LoadOptions, index: number, stats: LoadStats, until: number): Promise<void> {
  const user = o.users[index % o.users.length]!;
  let appended = 0;
  while (Date.now() < until) {
    let client: TranscriptClient | null = null;
    try {
      // Each client from a loopback address of its own, as clients on many hosts: homepost
      // takes at most 20 connections before login from one address (docs/limits.md).
      client = await TranscriptClient.connect(o.port, `127.0.1.${1 + (index % 250)}`);
      await client.take(1, 30_000);
      const s = new Session(client, stats);
      await s.run('LOGIN', `LOGIN ${user} "${o.password}"`);
      await s.run('SELECT', 'SELECT INBOX');
      await s.run('FETCH flags', 'FETCH 1:* (UID FLAGS)');
      for (let r = 0; r < o.rounds && Date.now() < until; r++) {
        const from = random(o.base - 9);
        await s.run('FETCH envelope', `FETCH ${from}:${from + 9} (UID RFC822.SIZE FLAGS INTERNALDATE ENVELOPE)`);
        await s.run('FETCH body', `FETCH ${random(o.base)} (UID BODY.PEEK[])`);
        await s.run('FETCH body', `FETCH ${random(o.base)} (UID BODY.PEEK[])`);
        await s.run('STORE', `STORE ${random(o.base)} ${r % 2 ? '-' : '+'}FLAGS (\\Flagged)`);
        const raw = o.message(index * 1_000_000 + appended++);
        const res = await s.run('APPEND', `APPEND INBOX (\\Seen) {${raw.length}+}\r\n${raw.toString('latin1')}`);
        const uid = /APPENDUID \d+ (\d+)/.exec(res.at(-1) ?? '')?.[1];
        if (uid) await s.run('STORE', `UID STORE ${uid} +FLAGS.SILENT (\\Deleted)`);
        await s.run('EXPUNGE', 'EXPUNGE');
      }
      await s.run('LOGOUT', 'LOGOUT');
    } catch (e) {
      stats.errors++;
      if (stats.firstErrors.length < 5) stats.firstErrors.push(String(e));
    } finally {
      client?.close();
    }
  }
}

export async function runLoad(o: LoadOptions): Promise<LoadStats> {
  const stats: LoadStats = { seconds: o.seconds, ops: emptyCounts(), ms: emptyCounts(), errors: 0, firstErrors: [] };
  const started = Date.now();
  const until = started + o.seconds * 1000;
  await Promise.all(Array.from({ length: o.clients }, (_, i) => clientLoop(o, i, stats, until)));
  // The last sessions finish their round after the deadline: count the time they took.
  stats.seconds = (Date.now() - started) / 1000;
  return stats;
}

// `count` connections logged in, INBOX selected, in IDLE (RFC 2177), opened `batch` at a time.
export async function idleConnections(o: {
  port: number;
  users: string[];
  password: string;
  count: number;
  batch?: number;
}): Promise<{ close(): Promise<void> }> {
  const clients: TranscriptClient[] = [];
  const open = async (i: number) => {
    const c = await TranscriptClient.connect(o.port);
    clients.push(c);
    await c.take(1, 30_000);
    const expectOk = (r: string[], tag: string) => {
      if (!r.at(-1)?.startsWith(`${tag} OK`)) throw new Error(`${tag}: ${r.at(-1)}`);
    };
    expectOk(await c.command('l', `LOGIN ${o.users[i % o.users.length]} "${o.password}"`, 30_000), 'l');
    expectOk(await c.command('s', 'SELECT INBOX', 30_000), 's');
    c.write('i IDLE\r\n');
    const r = await c.until((x) => x.startsWith('+') || x.startsWith('i '), 30_000);
    if (!r.at(-1)?.startsWith('+')) throw new Error(`IDLE: ${r.at(-1)}`);
  };
  const batch = o.batch ?? 20;
  try {
    for (let i = 0; i < o.count; i += batch) await Promise.all(Array.from({ length: Math.min(batch, o.count - i) }, (_, k) => open(i + k)));
  } catch (e) {
    for (const c of clients) c.close();
    throw e;
  }
  return {
    async close() {
      await Promise.all(
        clients.map(async (c) => {
          c.write('DONE\r\n');
          await c.until((x) => x.startsWith('i '), 10_000);
          await c.command('o', 'LOGOUT', 10_000);
          c.close();
        }),
      );
    },
  };
}
