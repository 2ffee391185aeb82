// The concurrency checker against the server: HOMEPOST_CONCURRENCY_CLIENTS (10) clients on one
// mailbox for HOMEPOST_CONCURRENCY_SECONDS (10); every rule of checker.ts must hold on every
// response each raw client received. `make bench-imap-concurrency` runs it longer with more clients.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { message, startImapServer } from '../support.ts';
import { countByRule } from './checker.ts';
import { runConcurrency } from './run.ts';

const CLIENTS = Number(process.env.HOMEPOST_CONCURRENCY_CLIENTS ?? 10);
const SECONDS = Number(process.env.HOMEPOST_CONCURRENCY_SECONDS ?? 10);

test(`${CLIENTS} clients on one mailbox for ${SECONDS} s: every session's view stays right`, { timeout: (SECONDS + 120) * 1000 }, async () => {
  const s = await startImapServer();
  try {
    for (let i = 1; i <= 40; i++) await s.deliver(message(i), { flags: i % 3 ? [] : ['$start'] });
    // A new mix each run; the seed in the failure message gives the same commands again.
    const seed = Date.now() % 100_000;
    const r = await runConcurrency({ port: s.port, user: s.user, password: s.password, clients: CLIENTS, seconds: SECONDS, seed });
    assert.ok(r.commands > CLIENTS, `only ${r.commands} commands ran`);
    const samples = r.violations.slice(0, 10).map((v) => `${v.rule}: ${v.detail}`);
    assert.equal(r.violations.length, 0, `seed ${seed}: ${JSON.stringify(countByRule(r.violations))}\n${samples.join('\n')}`);
  } finally {
    await s.close();
  }
});
