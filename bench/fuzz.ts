// `make bench-fuzz`: the parser fuzz targets of test/fuzz, which the *.fuzz.test.ts tests run for a
// bounded number of cases, run for minutes. Each target gets an equal share of the time: first
// its hostile families' linearity (test/support/linearity.ts, as the tests measure it), then fuzz
// cases from a new seed until its share is spent. Prints a table per target (cases, failures, the
// worst time per byte and growth of its families) and one per family; exits 1 when a case failed
// or a family grew superlinearly.
//   node bench/fuzz.ts [--minutes 5] [--seed N]
import { parseArgs } from 'node:util';
import { imapTarget } from '../test/fuzz/imap.ts';
import { mimeHeaderTarget, mimeMessageTarget } from '../test/fuzz/mime.ts';
import { pop3Target } from '../test/fuzz/pop3.ts';
import { smtpTarget } from '../test/fuzz/smtp.ts';
import { formatFailures, runCases } from '../test/support/fuzz.ts';
import { checkGrowth, GROWTH_LIMIT, type Growth } from '../test/support/linearity.ts';
import { printTable } from './lib/table.ts';

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '5' }, seed: { type: 'string' } } });
const minutes = Number(values.minutes);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (!(minutes > 0) || !Number.isInteger(seed)) {
  console.error('usage: node bench/fuzz.ts [--minutes N] [--seed N]');
  process.exit(2);
}

const targets = [imapTarget, smtpTarget, mimeMessageTarget, mimeHeaderTarget, pop3Target];
const share = (minutes * 60_000) / targets.length;
console.log(`bench-fuzz: ${minutes} min, ${(share / 1000).toFixed(0)} s per target, seed ${seed}`);

const summary: (string | number)[][] = [];
const perFamily: (string | number)[][] = [];
const failures: string[] = [];
for (const target of targets) {
  const deadline = performance.now() + share;
  await target.setup?.();
  try {
    const growths: Growth[] = [];
    for (const family of target.families) {
      const g = await checkGrowth(family, target.growth);
      growths.push(g);
      const bad = g.growth > GROWTH_LIMIT;
      perFamily.push([
        target.name,
        family.name,
        `${g.growth.toFixed(1)}${g.extrapolated ? '*' : ''}`,
        g.doublings.map((d) => d.toFixed(1)).join(' '),
        g.nsPerByte.toFixed(1),
        bad ? 'SUPERLINEAR' : 'ok',
      ]);
      if (bad) failures.push(`${target.name}: superlinear time on ${family.name}: ${g.growth.toFixed(1)}x from n to 8n`);
    }
    const report = await runCases(target, { seed, deadline, maxFailures: 20 });
    if (report.failures.length > 0) failures.push(formatFailures(target.name, report.failures));
    const superlinear = growths.filter((g) => g.growth > GROWTH_LIMIT).length;
    const slowest = growths.reduce((a, b) => (b.nsPerByte > a.nsPerByte ? b : a));
    const steepest = growths.reduce((a, b) => (b.growth > a.growth ? b : a));
    summary.push([
      target.name,
      report.cases,
      report.failures.length + superlinear,
      `${slowest.nsPerByte.toFixed(1)} (${slowest.family})`,
      `${steepest.growth.toFixed(1)}x`,
      steepest.family,
    ]);
  } finally {
    await target.teardown?.();
  }
}

console.log();
printTable(['target', 'cases', 'failures', 'worst ns/byte (family)', 'worst growth', 'its family'], summary);
console.log();
printTable(['target', 'family', 'growth n->8n', 'per doubling', 'ns/byte at 8n', 'verdict'], perFamily);
console.log(`\ngrowth: CPU time at 8n over n (the median doubling, cubed); * extrapolated from fewer sizes; superlinear above ${GROWTH_LIMIT}x`);
if (failures.length > 0) {
  console.log(`\n${failures.join('\n\n')}`);
  process.exit(1);
}
