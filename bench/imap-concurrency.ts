// `make bench-imap-concurrency`: the concurrency checker of test/imap/concurrency (raw clients
// that check every response against their own view, and imapflow clients for load) with 10 and
// then 50 clients on one mailbox of 40 messages for BENCH_SECONDS (30) each, against a server in
// this process. Prints the violations per rule and a few examples; exits 1 when any rule broke.
// Not part of `make bench`: there is no reference to compare with, only rules.
import { countByRule, RULES } from '../test/imap/concurrency/checker.ts';
import { runConcurrency } from '../test/imap/concurrency/run.ts';
import { message, startImapServer } from '../test/imap/support.ts';
import { printTable } from './lib/table.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const CLIENTS = (process.env.BENCH_CLIENTS ?? '10,50').split(',').map(Number);

const columns: { clients: number; commands: number; counts: Record<string, number> }[] = [];
let examples: string[] = [];
for (const clients of CLIENTS) {
  const s = await startImapServer();
  try {
    for (let i = 1; i <= 40; i++) await s.deliver(message(i));
    const r = await runConcurrency({ port: s.port, user: s.user, password: s.password, clients, seconds: SECONDS, seed: clients });
    columns.push({ clients, commands: r.commands, counts: countByRule(r.violations) });
    examples = examples.concat(
      RULES.flatMap((rule) => r.violations.filter((v) => v.rule === rule).slice(0, 2)).map((v) => `${clients} clients, ${v.rule}: ${v.detail}`),
    );
  } finally {
    await s.close();
  }
}
console.log(`\nIMAP concurrency checker, ${SECONDS} s per run\n`);
printTable(
  ['rule', ...columns.map((c) => `${c.clients} clients`)],
  [...RULES.map((rule) => [rule, ...columns.map((c) => c.counts[rule]!)]), ['commands', ...columns.map((c) => c.commands)]],
);
if (examples.length) console.log(`\n${examples.join('\n')}`);
process.exitCode = columns.some((c) => RULES.some((r) => c.counts[r]! > 0)) ? 1 : 0;
