// Compares the two transcripts of a script step by step: the lines only one server sent (by
// longest common subsequence, so order counts), each of which must be allowed by an entry of the
// table in allowed.ts for this script and step.
import type { StepResult } from './runner.ts';

export interface AllowedDifference {
  // The scripts it applies to, or '*' for every script.
  script: string | string[];
  // The step as the script wrote it ("b: FETCH 2 (UID FLAGS)"); any step when absent.
  step?: RegExp;
  // What homepost may send that Dovecot does not, and the other way round (whole lines).
  homepost?: RegExp;
  dovecot?: RegExp;
  // Why the RFCs allow it, citing the section.
  reason: string;
}

export interface Difference {
  // The step's position in the transcript and its text.
  index: number;
  step: string;
  side: 'homepost' | 'dovecot';
  line: string;
}

// The lines of a and b outside their longest common subsequence.
export function diffLines(a: readonly string[], b: readonly string[]): { onlyA: string[]; onlyB: string[] } {
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: LCS length of a[i..] and b[j..]
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const onlyA: string[] = [];
  const onlyB: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) onlyA.push(a[i++]!);
    else onlyB.push(b[j++]!);
  }
  onlyA.push(...a.slice(i));
  onlyB.push(...b.slice(j));
  return { onlyA, onlyB };
}

// Every line one server sent and the other did not, that no entry allows. Entries that allowed
// something are added to `used`.
export function unexpectedDifferences(
  script: string,
  homepost: readonly StepResult[],
  dovecot: readonly StepResult[],
  allowed: readonly AllowedDifference[],
  used: Set<AllowedDifference>,
): Difference[] {
  const out: Difference[] = [];
  const entries = allowed.filter((e) => e.script === '*' || e.script === script || (Array.isArray(e.script) && e.script.includes(script)));
  const steps = Math.max(homepost.length, dovecot.length);
  for (let k = 0; k < steps; k++) {
    const h = homepost[k];
    const d = dovecot[k];
    const step = h?.step ?? d!.step;
    if (h && d && h.step !== d.step) throw new Error(`${script}: transcripts out of step (${h.step} / ${d.step})`);
    const { onlyA, onlyB } = diffLines(h?.lines ?? ['<step missing>'], d?.lines ?? ['<step missing>']);
    const check = (side: 'homepost' | 'dovecot', line: string) => {
      const e = entries.find((x) => (!x.step || x.step.test(step)) && x[side]?.test(line));
      if (e) used.add(e);
      else out.push({ index: k, step, side, line });
    };
    for (const line of onlyA) check('homepost', line);
    for (const line of onlyB) check('dovecot', line);
  }
  return out;
}

// A readable report of unexpected differences, each step with both servers' full answers.
export function report(script: string, diffs: Difference[], homepost: readonly StepResult[], dovecot: readonly StepResult[]): string {
  const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}...` : s);
  const out: string[] = [`${script}: ${diffs.length} unexpected difference(s)`];
  for (const index of [...new Set(diffs.map((d) => d.index))]) {
    const here = diffs.filter((x) => x.index === index);
    out.push(`  step ${index} ${JSON.stringify(here[0]!.step)}`);
    for (const d of here) out.push(`    only ${d.side.padEnd(8)} ${clip(d.line)}`);
    const h = homepost[index]?.lines ?? [];
    const v = dovecot[index]?.lines ?? [];
    out.push('    homepost sent:', ...h.slice(0, 40).map((l) => `      ${clip(l)}`));
    out.push('    dovecot sent:', ...v.slice(0, 40).map((l) => `      ${clip(l)}`));
  }
  return out.join('\n');
}
