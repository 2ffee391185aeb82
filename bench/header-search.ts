// `node bench/header-search.ts DIR`: header SEARCH, SORT and THREAD on a 50,000-message INBOX (90%
// ~4 KB text, 10% ~100 KB with an attachment, varied subjects, bench/lib/corpus.ts) over a real
// IMAP socket, warm (best of 5 on one session: the development machine is shared) and cold (server restarted, page cache dropped:
// run as root). DIR/pristine keeps the store between runs (built through the store API on the
// first); each run works on a copy of it, so a store written by an older homepost is migrated by
// the first open of the run (its time is printed).
import { cpSync, existsSync, rmSync } from 'node:fs';
import { hashNewPassword } from '../src/auth/password.ts';
import { parseServeOptions } from '../src/config/options.ts';
import { silentLogger } from '../src/log/log.ts';
import { startServer } from '../src/serve/server.ts';
import { Store } from '../src/store/index.ts';
import { imapLogin } from '../test/support/attacks.ts';
import type { Wire } from '../test/support/wire.ts';
import { prng, realisticMessage } from './lib/corpus.ts';
import { dropPageCache } from './lib/memory.ts';
import { printTable } from './lib/table.ts';

const base = process.argv[2] ?? '/tmp/homepost-bench-headers';
const pristine = `${base}/pristine`;
const dir = `${base}/run`;
const COUNT = Number(process.env.BENCH_MESSAGES ?? 50_000);
const USER = 'big@example.test';
const PASSWORD = 'bench password 1';
const WARM_ROUNDS = 5;

const COMMANDS = [
  ['SEARCH SUBJECT', 'UID SEARCH SUBJECT "invoice"'],
  ['SEARCH FROM', 'UID SEARCH FROM "sender7@"'],
  ['SORT (DATE)', 'UID SORT (DATE) UTF-8 ALL'],
  ['SORT (SUBJECT)', 'UID SORT (SUBJECT) UTF-8 ALL'],
  ['THREAD REFERENCES', 'UID THREAD REFERENCES UTF-8 ALL'],
] as const;

// Every tenth message: the text message with a ~96 KB base64 attachment (multipart/mixed).
function withAttachment(i: number): Buffer {
  const text = realisticMessage(i).toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  const header = text
    .slice(0, split)
    .replace(/Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit/, 'Content-Type: multipart/mixed; boundary="b"');
  const rand = prng(i);
  const bytes = Buffer.from(new Uint8Array(72_000).map(() => Math.floor(rand() * 256)));
  const b64 = bytes.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    `${header}\r\n\r\n--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text.slice(split + 4)}` +
      `--b\r\nContent-Type: application/pdf; name="report-${i}.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n--b--\r\n`,
    'latin1',
  );
}

// Replies, so THREAD REFERENCES has threads to build: every third message refers to an earlier one.
function message(i: number): Buffer {
  const raw = i % 10 === 9 ? withAttachment(i) : realisticMessage(i);
  if (i % 3 !== 2) return raw;
  return Buffer.concat([Buffer.from(`References: <${i - 2}.thread@example.org>\r\nSubject: Re: thread ${i % 500}\r\n`), raw]);
}

async function build(): Promise<void> {
  const started = Date.now();
  const store = await Store.open(pristine);
  await store.domains.add('example.test');
  const account = await store.accounts.create({ address: USER, passwordHash: await hashNewPassword(PASSWORD) });
  const inbox = store.mailboxes.get(account.id, 'INBOX')!;
  for (let i = 0; i < COUNT; i += 200) {
    const batch = [];
    for (let n = i; n < Math.min(COUNT, i + 200); n++)
      batch.push(
        store.messages.append({ mailboxId: inbox.id, raw: message(n), flags: n % 5 ? ['\\Seen'] : [], internalDate: Date.UTC(2026, 0, 1) + n * 60_000 }),
      );
    await Promise.all(batch);
  }
  await store.close();
  console.log(`built ${COUNT} messages in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function serve(): Promise<{ session: Wire; stop(): Promise<void>; openMs: number }> {
  const started = performance.now();
  const server = await startServer(parseServeOptions(['--dev', '--ephemeral', '--data', dir, '--hostname', 'mail.example.test'], {}), silentLogger);
  const openMs = performance.now() - started;
  const session = await imapLogin({ port: server.ports.imap!, user: USER, password: PASSWORD, timeoutMs: 120_000 });
  const selected = await session.imap('SELECT INBOX', 120_000);
  if (!/ OK/.test(selected.tagged)) throw new Error(`SELECT: ${selected.tagged}`);
  return {
    session,
    openMs,
    async stop() {
      session.close();
      await server.stop();
    },
  };
}

async function timed(session: Wire, command: string): Promise<number> {
  const start = performance.now();
  const r = await session.imap(command, 120_000);
  if (!/ OK/.test(r.tagged)) throw new Error(`${command}: ${r.tagged}`);
  return performance.now() - start;
}

if (!existsSync(pristine)) await build();
rmSync(dir, { recursive: true, force: true });
cpSync(pristine, dir, { recursive: true });
const first = await serve();
console.log(`first open (migration if any): ${first.openMs.toFixed(0)} ms`);
const warm = new Map<string, number>();
for (const [name, command] of COMMANDS) {
  await timed(first.session, command);
  const runs: number[] = [];
  for (let r = 0; r < WARM_ROUNDS; r++) runs.push(await timed(first.session, command));
  warm.set(name, Math.min(...runs));
}
await first.stop();
let dropped = true;
const cold = new Map<string, number>();
for (const [name, command] of COMMANDS) {
  dropped &&= dropPageCache();
  const s = await serve();
  cold.set(name, await timed(s.session, command));
  await s.stop();
}
if (!dropped) console.log('(not root: cold runs read from the page cache)');
printTable(
  ['at 50,000 messages', 'warm ms', 'cold ms'],
  COMMANDS.map(([name]) => [name, warm.get(name)!.toFixed(1), cold.get(name)!.toFixed(1)]),
);
rmSync(dir, { recursive: true, force: true });
