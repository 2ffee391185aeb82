// Child process of bench/store.ts: sets up a store (or a maildir) in a folder, says "ready", waits
// for "go" on stdin, delivers the messages at the given concurrency, closes, prints one JSON line.
// usage: node bench/store-worker.ts homepost|maildir DIR COUNT CONCURRENCY
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { open as openFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Store } from '../src/store/index.ts';
import { realisticMessage } from './lib/corpus.ts';
import { hashNewPassword } from '../src/auth/password.ts';

const [kind, dir, countArg, concurrencyArg] = process.argv.slice(2);
const count = Number(countArg);
const concurrency = Number(concurrencyArg);
const messages = Array.from({ length: count }, (_, i) => realisticMessage(i));
const rawBytes = messages.reduce((n, m) => n + m.length, 0);

async function waitForGo(): Promise<void> {
  process.stdout.write('ready\n');
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) if (line === 'go') break;
  rl.close();
}

async function run(deliver: (m: Buffer) => Promise<void>): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await deliver(messages[next++]);
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1e9;
}

if (kind === 'homepost') {
  const store = await Store.open(dir);
  await store.domains.add('example.test');
  const account = await store.accounts.create({ address: 'user@example.test', passwordHash: await hashNewPassword('benchmark password') });
  await waitForGo();
  const seconds = await run(async (raw) => {
    const [out] = await store.messages.deliver({ raw, targets: [{ accountId: account.id }] });
    if (!out.ok) throw new Error(out.message);
  });
  // What the bodies occupy on disk: their pages, over the number of messages.
  const { pages } = store.bodies.stats();
  const problems = store.checkConsistency();
  await store.close();
  if (problems.length) throw new Error(problems.join('; '));
  process.stdout.write(`${JSON.stringify({ seconds, rawBytes, storedBodyBytes: pages * 4096 })}\n`);
} else if (kind === 'maildir') {
  // The reference: how Dovecot's maildir delivers (maildir(5)): write to tmp/, fsync the file,
  // rename into new/, fsync the folder.
  for (const sub of ['tmp', 'new', 'cur']) mkdirSync(path.join(dir, sub), { recursive: true });
  await waitForGo();
  const newDir = path.join(dir, 'new');
  let n = 0;
  const seconds = await run(async (raw) => {
    const name = `${Date.now()}.M${n++}P${process.pid}R${randomBytes(4).toString('hex')}.bench`;
    const tmp = path.join(dir, 'tmp', name);
    const fh = await openFile(tmp, 'wx');
    await fh.writeFile(raw);
    await fh.sync();
    await fh.close();
    renameSync(tmp, path.join(newDir, name));
    const d = openSync(newDir, 'r');
    fsyncSync(d);
    closeSync(d);
  });
  writeSync(1, `${JSON.stringify({ seconds, rawBytes, storedBodyBytes: null })}\n`);
} else {
  throw new Error(`unknown kind ${kind}`);
}
