// Durability: a kill -9 at any moment loses nothing the store acknowledged and leaves a store that
// opens. A real child process delivers under load and is killed at a random moment, many times
// over the same store; after each kill the store is opened and checked.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { Store } from '../../src/store/index.ts';
import { tempDir } from '../support/temp-store.ts';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 20);
const worker = path.join(import.meta.dirname, 'crash-worker.ts');

async function crashRound(dir: string, round: number, killAfterMs: number) {
  const child = spawn(process.execPath, [worker, dir, String(round)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const delivered = new Map<string, number>();
  const seen = new Set<number>();
  let ready!: () => void;
  const started = new Promise<void>((r) => (ready = r));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const [kind, a, b] = line.split(' ');
    if (kind === 'ready') ready();
    if (kind === 'D') delivered.set(a, Number(b));
    if (kind === 'F') seen.add(Number(a));
  });
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
  await started;
  await new Promise((r) => setTimeout(r, killAfterMs));
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  return { delivered, seen };
}

test(`kill -9 during deliveries, ${ROUNDS} times: every acknowledged write survives, once`, async () => {
  const dir = tempDir('homepost-crash-');
  const acknowledged = new Map<string, number>();
  const seenUids = new Set<number>();
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const { delivered, seen } = await crashRound(dir, round, 150 + ((round * 97) % 400));
      assert.ok(delivered.size > 0, `round ${round}: the worker acknowledged nothing before the kill`);
      for (const [tag, uid] of delivered) acknowledged.set(tag, uid);
      for (const uid of seen) seenUids.add(uid);

      const store = await Store.open(dir);
      try {
        assert.deepEqual(store.checkConsistency(), [], `round ${round}: store consistent after kill`);
        const account = store.accounts.get('user@example.test')!;
        const inbox = store.mailboxes.get(account.id, 'INBOX')!;
        const byTag = new Map<string, number[]>();
        for (const m of store.messages.list(inbox.id)) {
          const subject = /^Subject: (\S+)/.exec(store.messages.body(m.hash)!.toString('latin1'))![1];
          byTag.set(subject, [...(byTag.get(subject) ?? []), m.uid]);
          if (seenUids.has(m.uid)) assert.ok(m.flags.includes('\\Seen'), `round ${round}: uid ${m.uid} lost \\Seen`);
        }
        for (const [tag, uid] of acknowledged) {
          assert.deepEqual(byTag.get(tag), [uid], `round ${round}: acknowledged ${tag} (uid ${uid}) must be there once`);
        }
        for (const [tag, uids] of byTag) assert.equal(uids.length, 1, `${tag} stored ${uids.length} times`);
      } finally {
        await store.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
