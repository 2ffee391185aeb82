// N clients on one mailbox for a bounded time, each doing a random mix of SELECT, FETCH (FLAGS
// MODSEQ), STORE of flags and fresh keywords, EXPUNGE, UID EXPUNGE, APPEND, MOVE, COPY, SEARCH,
// NOOP and a short IDLE, with CONDSTORE on. Raw clients (two in three) see every response line and
// feed it to their ViewChecker; imapflow clients add the load of a real client library. When the
// time is up every client stops writing, and each raw client compares its view with the server's
// (NOOP, then UID FETCH 1:*). Used by concurrency.test.ts (bounded) and bench/imap-concurrency.ts.
import { ImapFlow } from 'imapflow';
import { prng } from '../../support/prng.ts';
import { Wire, openSocket } from '../../support/wire.ts';
import { message } from '../support.ts';
import { ViewChecker, type Violation } from './checker.ts';

export interface RunOptions {
  port: number;
  user: string;
  password: string;
  clients: number;
  seconds: number;
  seed?: number;
  // Keywords are drawn from $k0 .. $k(keywords-1).
  keywords?: number;
}

export interface RunResult {
  violations: Violation[];
  commands: number;
  // Commands of the imapflow clients that failed (a NO is allowed under concurrency).
  imapflowErrors: number;
}

type Mode = 'qresync' | 'rev2' | 'rev1';

// A raw client: sends commands built from its own view and checks every line of every response.
class RawClient {
  readonly checker = new ViewChecker();
  commands = 0;
  private wire: Wire;
  private tagNo = 0;

  constructor(wire: Wire) {
    this.wire = wire;
  }

  static async open(port: number): Promise<RawClient> {
    const c = new RawClient(new Wire(await openSocket({ port })));
    await c.wire.imapLine();
    return c;
  }

  // Sends a command (and a LITERAL+ literal), feeds each response line to the checker, returns
  // the tagged line.
  async run(command: string, literal?: Buffer): Promise<string> {
    const tag = `c${++this.tagNo}`;
    this.commands++;
    this.checker.command(command);
    await this.wire.write(literal ? Buffer.concat([Buffer.from(`${tag} ${command}\r\n`), literal, Buffer.from('\r\n')]) : `${tag} ${command}\r\n`);
    for (;;) {
      const l = await this.wire.imapLine(60_000);
      this.checker.line(l);
      if (l.startsWith(`${tag} `)) return l;
    }
  }

  // RFC 2177: IDLE for ms, then DONE; what arrived meanwhile is checked in order.
  async idle(ms: number): Promise<void> {
    const tag = `c${++this.tagNo}`;
    this.commands++;
    this.checker.command('IDLE');
    await this.wire.write(`${tag} IDLE\r\n`);
    for (;;) {
      const l = await this.wire.imapLine(60_000);
      if (l.startsWith('+')) break;
      this.checker.line(l);
    }
    await new Promise((r) => setTimeout(r, ms));
    await this.wire.write('DONE\r\n');
    for (;;) {
      const l = await this.wire.imapLine(60_000);
      this.checker.line(l);
      if (l.startsWith(`${tag} `)) return;
    }
  }

  close(): void {
    this.wire.close();
  }
}

// One random command from the client's view.
async function rawStep(c: RawClient, rnd: () => number, keyword: () => string, n: () => number): Promise<void> {
  const count = c.checker.count;
  const seq = () => 1 + Math.floor(rnd() * count);
  const range = () => {
    const a = seq();
    const b = Math.min(count, a + Math.floor(rnd() * 5));
    return a === b ? `${a}` : `${a}:${b}`;
  };
  const knownUids = c.checker.uids.filter((u): u is number => u !== null);
  const uid = () => (knownUids.length ? `${knownUids[Math.floor(rnd() * knownUids.length)]}` : '1:*');
  const r = rnd();
  if (count < 5 || r < 0.12) {
    const raw = Buffer.from(message(`c${n()}`));
    await c.run(`APPEND INBOX (${rnd() < 0.5 ? '\\Seen ' : ''}${keyword()}) {${raw.length}+}`, raw);
  } else if (r < 0.3) await c.run(`FETCH ${rnd() < 0.3 ? '1:*' : range()} (${rnd() < 0.5 ? 'UID ' : ''}FLAGS MODSEQ)`);
  else if (r < 0.36) await c.run(`UID FETCH ${uid()} (FLAGS MODSEQ)`);
  else if (r < 0.4) await c.run(`FETCH ${range()} (BODY[HEADER.FIELDS (SUBJECT)])`);
  else if (r < 0.55) await c.run(`STORE ${range()} ${rnd() < 0.6 ? '+' : '-'}FLAGS (${rnd() < 0.5 ? '\\Flagged ' : ''}${keyword()})`);
  else if (r < 0.6) await c.run(`UID STORE ${uid()} +FLAGS (${keyword()})`);
  else if (r < 0.66) {
    await c.run(`STORE ${seq()} +FLAGS (\\Deleted)`);
    await c.run('EXPUNGE');
  } else if (r < 0.7) {
    const u = uid();
    await c.run(`UID STORE ${u} +FLAGS (\\Deleted)`);
    await c.run(`UID EXPUNGE ${u}`);
  } else if (r < 0.74) await c.run(`MOVE ${seq()} Archive`);
  else if (r < 0.78) await c.run(`COPY ${range()} ${rnd() < 0.5 ? 'Archive' : 'INBOX'}`);
  else if (r < 0.82) await c.run(`SEARCH KEYWORD ${keyword()}`);
  else if (r < 0.9) await c.run('NOOP');
  else if (r < 0.97) await c.idle(20 + Math.floor(rnd() * 200));
  else await c.run('SELECT INBOX (CONDSTORE)');
}

// A logged-in client with the mailbox selected; play() runs its random commands until the time.
interface Player {
  play(until: number): Promise<void>;
}

async function rawClient(o: RunOptions, mode: Mode, rnd: () => number, keyword: () => string, n: () => number): Promise<RawClient & Player> {
  const c = await RawClient.open(o.port);
  await c.run(`LOGIN "${o.user}" "${o.password}"`);
  if (mode === 'qresync') await c.run('ENABLE QRESYNC');
  if (mode === 'rev2') await c.run('ENABLE IMAP4rev2');
  await c.run('SELECT INBOX (CONDSTORE)');
  await c.run('UID FETCH 1:* (UID FLAGS MODSEQ)');
  return Object.assign(c, {
    async play(until: number) {
      while (Date.now() < until) await rawStep(c, rnd, keyword, n);
    },
  });
}

interface FlowCounts {
  commands: number;
  // Commands that failed (a NO is allowed under concurrency).
  errors: number;
}

async function imapflowClient(o: RunOptions, rnd: () => number, keyword: () => string, n: () => number): Promise<Player & FlowCounts> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: o.port,
    secure: false,
    doSTARTTLS: false,
    qresync: true,
    auth: { user: o.user, pass: o.password },
    logger: false,
    autoIdleDelay: 50,
  });
  await client.connect();
  await client.mailboxOpen('INBOX');
  const player = {
    commands: 0,
    errors: 0,
    async play(until: number) {
      while (Date.now() < until && client.usable) await imapflowStep(client, rnd, keyword, n, player);
      await client.logout().catch(() => {});
    },
  };
  return player;
}

async function imapflowStep(client: ImapFlow, rnd: () => number, keyword: () => string, n: () => number, counts: FlowCounts): Promise<void> {
  const exists = client.mailbox ? client.mailbox.exists : 0;
  const r = rnd();
  const at = `${1 + Math.floor(rnd() * Math.max(1, exists))}`;
  counts.commands++;
  try {
    if (exists < 5 || r < 0.15) await client.append('INBOX', message(`f${n()}`), [keyword()]);
    else if (r < 0.4) for await (const _ of client.fetch('1:*', { flags: true, uid: true })) void _;
    else if (r < 0.6) await client.messageFlagsAdd(at, [keyword(), '\\Answered']);
    else if (r < 0.7) await client.messageFlagsRemove(at, ['\\Answered']);
    else if (r < 0.78) await client.messageDelete(at);
    else if (r < 0.84) await client.messageMove(at, 'Archive');
    else if (r < 0.9) await client.noop();
    else await new Promise((resolve) => setTimeout(resolve, 20 + Math.floor(rnd() * 200)));
  } catch {
    counts.errors++;
  }
}

// Clients logging in at once: the per-address limit before login is 20.
const LOGIN_BATCH = 10;

export async function runConcurrency(o: RunOptions): Promise<RunResult> {
  const seed = o.seed ?? 1;
  const keywords = o.keywords ?? 100;
  const pick = prng(seed);
  const keyword = () => `$k${Math.floor(pick() * keywords)}`;
  let counter = 0;
  const n = () => ++counter;
  const raws: RawClient[] = [];
  const flows: FlowCounts[] = [];
  const players: Player[] = [];
  const modes: Mode[] = ['qresync', 'rev2', 'rev1'];
  const open = async (i: number): Promise<Player> => {
    const rnd = prng(seed * 1000 + i);
    if (i % 3 === 2) {
      const f = await imapflowClient(o, rnd, keyword, n);
      flows.push(f);
      return f;
    }
    const c = await rawClient(o, modes[(i >> 1) % 3]!, rnd, keyword, n);
    raws.push(c);
    return c;
  };
  for (let i = 0; i < o.clients; i += LOGIN_BATCH) {
    const batch = Array.from({ length: Math.min(LOGIN_BATCH, o.clients - i) }, (_, j) => open(i + j));
    players.push(...(await Promise.all(batch)));
  }
  const until = Date.now() + o.seconds * 1000;
  await Promise.all(players.map((p) => p.play(until)));
  // Nobody writes any more: each view must now match the mailbox.
  for (const c of raws) {
    await c.run('NOOP');
    c.checker.startFinal();
    await c.run('UID FETCH 1:* (UID FLAGS MODSEQ)');
    c.checker.endFinal();
    await c.run('LOGOUT');
    c.close();
  }
  return {
    violations: raws.flatMap((c) => c.checker.violations),
    commands: raws.reduce((s, c) => s + c.commands, 0) + flows.reduce((s, f) => s + f.commands, 0),
    imapflowErrors: flows.reduce((s, f) => s + f.errors, 0),
  };
}
