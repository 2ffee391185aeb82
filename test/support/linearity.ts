// Time per byte (CPU time) of a parser on one family of hostile inputs. The family runs at sizes
// n, 2n, 4n and 8n, n chosen so that the smallest run takes a few milliseconds, and the fastest
// of several runs per size is kept. A linear parser takes about 8x longer at 8n than at n, a
// quadratic one about 64x. GROWTH_LIMIT sits between, above what noise does to a linear parser:
// one that allocates an object every few bytes (tokens, parts) keeps more of them alive the larger
// the input, its garbage collection costs more per byte, and it was measured here at up to 29x on
// a loaded machine. This checks complexity, never speed: no absolute duration is asserted.
import v8 from 'node:v8';
import vm from 'node:vm';

export const GROWTH_LIMIT = 32;

// A young-generation collection before each timed run, so that a run pays for its own garbage and
// not for what the runs before it left (V8 exposes gc() to contexts made after the flag is set; a
// full collection would cost tens of milliseconds each).
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as (options: { type: 'minor'; execution: 'sync' }) => void;
const collect = (): void => gc({ type: 'minor', execution: 'sync' });

export interface Family<T extends { length: number } = { length: number }> {
  name: string;
  // An input of about n bytes (characters for a string).
  build(n: number): T;
  // The work timed on it. It throws only for what the target's oracle rejects (an untyped error).
  run(input: T): unknown;
  // Largest input the parser can be handed (the limit a framer or reader enforces before it).
  maxBytes?: number;
}

export interface Growth {
  family: string;
  bytes: number[]; // the sizes measured, n to 8n (fewer when cut short)
  ms: number[]; // the fastest run at each size; a run is `reps` calls
  reps: number;
  doublings: number[]; // the time's growth from each size to the next
  // Time at 8n over time at n, as the median doubling three times over; extrapolated from the
  // sizes measured when the next one would have taken too long.
  growth: number;
  extrapolated: boolean;
  nsPerByte: number; // at the largest size measured
}

export interface GrowthOptions {
  minMs?: number; // the smallest size takes at least this long
  rounds?: number; // rounds over the sizes (the fastest run of each size counts)
  budgetMs?: number; // no further rounds once the rounds took this long together (after two)
  maxRunMs?: number; // a size predicted to take longer than this is not run (clearly superlinear)
  startBytes?: number;
  // n grows to at least this (when the family allows it) while a run stays cheap: below it, a
  // linear parser's time per byte still climbs with the size as V8 moves its growing arrays and
  // objects to other heap spaces, which would look like superlinear growth.
  floorBytes?: number;
}

// Largest input (at 8n) of a family that names no limit of its own. Beyond a megabyte or so the
// working set of a linear parser leaves the processor's caches and its time per byte grows anyway.
const DEFAULT_MAX_BYTES = 1024 * 1024;

const DEFAULTS: Required<GrowthOptions> = { minMs: 3, rounds: 4, budgetMs: 200, maxRunMs: 1000, startBytes: 256, floorBytes: 64 * 1024 };

// CPU time of this process, in ms: what the work costs, whatever else the machine is running (the
// tests run beside others, and a run preempted half-way would look slow in wall-clock time).
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function timeRun(family: Family, input: { length: number }, reps: number): Promise<number> {
  collect();
  const start = cpuMs();
  for (let i = 0; i < reps; i++) {
    const r = family.run(input);
    if (r instanceof Promise) await r;
  }
  return cpuMs() - start;
}

// Measures the family's growth from n to 8n. The sizes are run in rounds, n to 8n in each, so that
// load from elsewhere on the machine falls on all of them alike.
export async function measureGrowth(family: Family, options: GrowthOptions = {}): Promise<Growth> {
  const o = { ...DEFAULTS, ...options };
  const maxN = Math.max(1, Math.floor((family.maxBytes ?? DEFAULT_MAX_BYTES) / 8));
  // Calibration: grow n (then the calls per run, once n is at its cap) until a run takes minMs
  // and n reaches floorBytes or a run takes 8 times minMs; again when the measured n runs clearly
  // faster than minMs (the calibration ran before the JIT was done).
  // n starts at least at the family's smallest input, so that n to 8n are four different sizes.
  let n = Math.min(Math.max(o.startBytes, family.build(1).length), maxN);
  let reps = 1;
  const grow = (ms: number): void => {
    const factor = 2 ** Math.min(4, Math.max(1, Math.ceil(Math.log2(o.minMs / Math.max(ms, 0.01)))));
    if (n < maxN) n = Math.min(maxN, n * factor);
    else reps *= factor;
  };
  let inputs: { length: number }[] = [];
  let ms: number[] = [];
  let extrapolated = false;
  for (let attempt = 0; attempt < 3; attempt++) {
    for (;;) {
      const input = family.build(n);
      let t = Infinity;
      for (let i = 0; i < 3; i++) t = Math.min(t, await timeRun(family, input, reps));
      if (t >= o.minMs && (n >= Math.min(o.floorBytes, maxN) || t >= 8 * o.minMs)) break;
      grow(t);
    }
    // The first round decides the sizes: one predicted to take longer than maxRunMs is left out.
    inputs = [];
    ms = [];
    extrapolated = false;
    for (const scale of [1, 2, 4, 8]) {
      const k = ms.length;
      const predicted = () => ms[k - 1]! * (ms[k - 1]! / ms[k - 2]!);
      if (k >= 2 && predicted() > o.maxRunMs) {
        // One slow run (a collection of the heap, the machine busy) must not decide alone.
        for (const j of [k - 2, k - 1]) ms[j] = Math.min(ms[j]!, await timeRun(family, inputs[j]!, reps));
        if (predicted() > o.maxRunMs) {
          extrapolated = true;
          break;
        }
      }
      inputs.push(family.build(n * scale));
      ms.push(await timeRun(family, inputs[k]!, reps));
    }
    if (ms[0]! >= 0.75 * o.minMs) break;
    grow(ms[0]!);
  }
  const start = performance.now();
  for (let round = 1; round < o.rounds && (round < 2 || performance.now() - start < o.budgetMs); round++) {
    for (let k = 0; k < inputs.length; k++) ms[k] = Math.min(ms[k]!, await timeRun(family, inputs[k]!, reps));
  }
  const bytes = inputs.map((i) => i.length);
  const last = ms.length - 1;
  if (!(bytes[last]! > bytes[0]!)) throw new Error(`${family.name}: the inputs do not grow (${bytes.join(', ')} bytes)`);
  // The time's growth over each doubling of the bytes (scaled to exactly twice the bytes), and its
  // median raised to the three doublings from n to 8n. A superlinear parser grows more than twice
  // at every doubling; a linear one may take one step (its arrays outgrowing V8's regular heap
  // pages at 128 KB, its working set a cache), which the median leaves out.
  const doublings = ms.slice(1).map((t, k) => (t / ms[k]!) ** (1 / Math.log2(bytes[k + 1]! / bytes[k]!)));
  const sorted = [...doublings].sort((a, b) => a - b);
  const mid = (sorted.length - 1) / 2;
  const median = Math.sqrt(sorted[Math.floor(mid)]! * sorted[Math.ceil(mid)]!);
  return {
    family: family.name,
    bytes,
    ms,
    reps,
    doublings,
    growth: median ** 3,
    extrapolated,
    nsPerByte: (ms[last]! * 1e6) / (reps * bytes[last]!),
  };
}

// The growth, measured a second time when the first is over the limit: a superlinear parser is
// over it both times, noise seldom is.
export async function checkGrowth(family: Family, options: GrowthOptions = {}, limit = GROWTH_LIMIT): Promise<Growth> {
  const first = await measureGrowth(family, options);
  if (first.growth <= limit) return first;
  const second = await measureGrowth(family, options);
  return second.growth < first.growth ? second : first;
}

export function describeGrowth(g: Growth): string {
  const sizes = g.bytes.map((b, i) => `${b} B: ${g.ms[i]!.toFixed(2)} ms`).join(', ');
  const reps = g.reps > 1 ? ` (${g.reps} calls per run)` : '';
  const doublings = g.doublings.map((d) => d.toFixed(1)).join(', ');
  return `${g.family}: ${g.growth.toFixed(1)}x from n to 8n${g.extrapolated ? ' (extrapolated)' : ''} (doublings ${doublings}); ${sizes}${reps}`;
}

// Throws when the growth is clearly superlinear.
export function assertLinear(g: Growth, limit = GROWTH_LIMIT): void {
  if (g.growth > limit) {
    throw new Error(`superlinear time on ${describeGrowth(g)}; a linear parser grows about 8x, the limit is ${limit}x`);
  }
}
