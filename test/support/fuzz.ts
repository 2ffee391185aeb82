// The fuzz harness every parser target shares (test/fuzz/*.ts): a target's inputs are its seed
// corpus, mutations of it, its hostile families at small sizes and random bytes; its oracle says
// whether the parser answered as it should (returned, or threw its own typed error). runCases
// drives a bounded or timed run from a seed, so a failure names the seed and case to replay;
// fuzzTests registers the bounded run and one linearity check per family (linearity.ts) with
// node:test, and bench/fuzz.ts runs the same targets for minutes.
import { after, before, test } from 'node:test';
import { assertLinear, checkGrowth, describeGrowth, type Family, type GrowthOptions } from './linearity.ts';
import { prng } from './prng.ts';

export type Rand = () => number;

export interface FuzzTarget {
  name: string;
  seeds: readonly Buffer[];
  // A mutation of one of the seeds.
  mutate(input: Buffer, rnd: Rand): Buffer;
  // The oracle: throws when the parser did not answer as it should.
  check(input: Buffer): void | Promise<void>;
  families: readonly Family[];
  // How the families are measured, when not as linearity.ts does by default.
  growth?: GrowthOptions;
  // Resources the oracle needs (a store), made once per run.
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}

export interface CaseFailure {
  seed: number;
  round: number;
  input: string; // base64 (or JSON), cut to 2000 characters
  error: string;
}

export interface CaseReport {
  cases: number;
  failures: CaseFailure[];
}

export const pick = <T>(rnd: Rand, list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
// unit repeated to about n characters (once at least): the body of most hostile families.
export const fill = (n: number, unit: string): string => unit.repeat(Math.max(1, Math.floor(n / unit.length)));
const int = (rnd: Rand, n: number): number => Math.floor(rnd() * n);

export interface MutationPool {
  seeds: readonly Buffer[];
  // Byte strings that steer the parser: delimiters, keywords, openers without closers.
  tokens: readonly string[];
  // Longest range a mutation deletes, duplicates or splices in.
  maxChunk: number;
  // A mutation of the target's own, or null to fall back to the generic ones.
  extra?: (data: Buffer, rnd: Rand) => Buffer | null;
}

// 1 to 4 mutations of input: bytes flipped, tokens inserted (one, or a run of one repeated),
// ranges deleted, duplicated or cut off, another seed spliced in, or the target's own.
export function mutate(input: Buffer, rnd: Rand, pool: MutationPool): Buffer {
  let data = input;
  for (let step = 0, steps = 1 + int(rnd, 4); step < steps; step++) {
    const pos = int(rnd, data.length + 1);
    const token = (): Buffer => Buffer.from(pick(rnd, pool.tokens), 'latin1');
    switch (int(rnd, pool.extra ? 8 : 7)) {
      case 0: {
        const copy = Buffer.from(data);
        for (let i = 0, n = 1 + int(rnd, 8); i < n && copy.length > 0; i++) copy[int(rnd, copy.length)] = int(rnd, 256);
        data = copy;
        break;
      }
      case 1:
        data = Buffer.concat([data.subarray(0, pos), token(), data.subarray(pos)]);
        break;
      case 2:
        data = Buffer.concat([data.subarray(0, pos), Buffer.concat(Array(1 + int(rnd, 64)).fill(token())), data.subarray(pos)]);
        break;
      case 3:
        data = Buffer.concat([data.subarray(0, pos), data.subarray(Math.min(data.length, pos + 1 + int(rnd, pool.maxChunk)))]);
        break;
      case 4: {
        const from = int(rnd, data.length + 1);
        data = Buffer.concat([data.subarray(0, pos), data.subarray(from, from + 1 + int(rnd, pool.maxChunk)), data.subarray(pos)]);
        break;
      }
      case 5:
        data = data.subarray(0, pos);
        break;
      case 6: {
        const other = pick(rnd, pool.seeds);
        const from = int(rnd, other.length + 1);
        data = Buffer.concat([data.subarray(0, pos), other.subarray(from, from + 1 + int(rnd, pool.maxChunk * 4))]);
        break;
      }
      default:
        data = pool.extra!(data, rnd) ?? data;
    }
  }
  return data;
}

// Random bytes, one in ten a line feed, so that line-based parsers see lines.
function garbage(rnd: Rand): Buffer {
  const out = Buffer.alloc(int(rnd, 2000));
  for (let i = 0; i < out.length; i++) out[i] = rnd() < 0.1 ? 0x0a : int(rnd, 256);
  return out;
}

// One case: the seeds first, then mostly mutations, some hostile families at small sizes (run as
// the family runs them) and some random bytes.
function nextCase(target: FuzzTarget, rnd: Rand, round: number): { input: { length: number }; run: () => unknown } {
  if (round < target.seeds.length) {
    const input = target.seeds[round]!;
    return { input, run: () => target.check(input) };
  }
  const r = rnd();
  if (r < 0.1 && target.families.length > 0) {
    const family = pick(rnd, target.families);
    const input = family.build(1 + int(rnd, 4096));
    return { input, run: () => family.run(input) };
  }
  const input = r < 0.15 ? garbage(rnd) : target.mutate(pick(rnd, target.seeds), rnd);
  return { input, run: () => target.check(input) };
}

function show(input: { length: number }): string {
  return (Buffer.isBuffer(input) ? `base64 ${input.toString('base64')}` : `JSON ${JSON.stringify(input)}`).slice(0, 2000);
}

// Runs cases until `cases` are done or `deadline` (performance.now()) is passed.
export async function runCases(target: FuzzTarget, o: { seed: number; cases?: number; deadline?: number; maxFailures?: number }): Promise<CaseReport> {
  const rnd = prng(o.seed);
  const failures: CaseFailure[] = [];
  let round = 0;
  while (round < (o.cases ?? Infinity) && (o.deadline === undefined || performance.now() < o.deadline)) {
    const c = nextCase(target, rnd, round++);
    try {
      await c.run();
    } catch (e) {
      failures.push({ seed: o.seed, round: round - 1, input: show(c.input), error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
      if (failures.length >= (o.maxFailures ?? 5)) break;
    }
  }
  return { cases: round, failures };
}

export function formatFailures(target: string, failures: readonly CaseFailure[]): string {
  return failures.map((f) => `${target} seed ${f.seed} round ${f.round} (input ${f.input}):\n${f.error}`).join('\n\n');
}

// The node:test tests of a target: `cases` cases from `seed` (FUZZ_SEED overrides it), then each
// family's linearity.
export function fuzzTests(target: FuzzTarget, o: { cases: number; seed: number }): void {
  if (target.setup) before(() => target.setup!());
  if (target.teardown) after(() => target.teardown!());
  const seed = Number(process.env.FUZZ_SEED ?? o.seed);
  test(`${target.name}: ${o.cases} fuzz cases answer with a result or a typed error`, async () => {
    const report = await runCases(target, { seed, cases: o.cases });
    if (report.failures.length > 0) throw new Error(formatFailures(target.name, report.failures));
  });
  for (const family of target.families) {
    test(`${target.name}: linear time on ${family.name}`, async (t) => {
      const g = await checkGrowth(family, target.growth);
      t.diagnostic(describeGrowth(g));
      assertLinear(g);
    });
  }
}
