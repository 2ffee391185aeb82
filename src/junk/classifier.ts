// The per-account junk classifier: Gary Robinson's method as SpamBayes implements it (and mox
// after it). Training counts, per token, the spam and ham messages that held it. To classify,
// each token of a message gets the probability that a message holding it is spam, pulled
// towards UNKNOWN_PROBABILITY (x) with the weight UNKNOWN_STRENGTH (s) of that many imagined
// messages, so a token seen once says little:
//   p(w) = (spam(w)/nspam) / (spam(w)/nspam + ham(w)/nham)
//   f(w) = (s*x + n*p(w)) / (s + n), n = spam(w) + ham(w)
// The MAX_CLUES tokens farthest from 0.5 (and at least MIN_STRENGTH from it) are combined with
// Fisher's chi-square method, once for spam and once for ham:
//   S = 1 - C^-1(-2 ln prod(1 - f), 2k), H = 1 - C^-1(-2 ln prod(f), 2k), score = (1 + S - H) / 2
// k the number of clues. Near 1 means junk, near 0 ham, near 0.5 that the clues disagree or are
// missing (an untrained classifier says 0.5 to everything).
//
// The counts are bounded: past maxTokens tokens, the least useful go (prune()).
import { TokenCounts } from './counts.ts';
import { tokenHash } from './hash.ts';

export const UNKNOWN_STRENGTH = 0.45;
export const UNKNOWN_PROBABILITY = 0.5;
export const MIN_STRENGTH = 0.1;
export const MAX_CLUES = 150;
// Tokens kept per account: at most 6 MB in memory (counts.ts), about 1.2 MB saved (format.ts).
export const DEFAULT_MAX_TOKENS = 300_000;
// A prune leaves this share of maxTokens, so that it happens once per many trained messages.
const PRUNE_TO = 0.9;
// Clues reported as the reasons of a score.
export const REASONS = 8;

export interface Clue {
  token: string;
  probability: number; // f(w): above 0.5 points to junk, below to ham
}

export interface Classification {
  score: number; // 0 ham .. 1 junk
  reasons: Clue[]; // the strongest clues, strongest first
}

// Q(x2, v): the probability that a chi-square variable with v (even) degrees of freedom is at
// least x2 (SpamBayes chi2Q).
function chi2Q(x2: number, v: number): number {
  const m = x2 / 2;
  let term = Math.exp(-m);
  let sum = term;
  for (let i = 1; i < v / 2; i++) {
    term *= m / i;
    sum += term;
  }
  return Math.min(sum, 1);
}

export class JunkClassifier {
  spamMessages = 0;
  hamMessages = 0;
  counts: TokenCounts;
  readonly maxTokens: number;

  constructor(maxTokens = DEFAULT_MAX_TOKENS, counts = new TokenCounts()) {
    this.maxTokens = maxTokens;
    this.counts = counts;
  }

  // Counts a message's tokens (each once) as spam or ham.
  train(tokens: readonly string[], spam: boolean): void {
    this.count(tokens, spam, 1);
    if (this.counts.size > this.maxTokens) this.prune();
  }

  // Takes back an earlier train() of the same tokens with the same label: train then untrain
  // leaves the counts as they were (a token pruned in between stays gone).
  untrain(tokens: readonly string[], spam: boolean): void {
    this.count(tokens, spam, -1);
  }

  private count(tokens: readonly string[], spam: boolean, by: 1 | -1): void {
    for (const token of new Set(tokens)) this.counts.add(tokenHash(token), spam ? by : 0, spam ? 0 : by);
    if (spam) this.spamMessages = Math.max(0, this.spamMessages + by);
    else this.hamMessages = Math.max(0, this.hamMessages + by);
  }

  // f(w) of a token with these counts.
  probability(spam: number, ham: number): number {
    const spamRatio = spam / Math.max(this.spamMessages, 1);
    const hamRatio = ham / Math.max(this.hamMessages, 1);
    const n = spam + ham;
    const p = spamRatio + hamRatio === 0 ? UNKNOWN_PROBABILITY : spamRatio / (spamRatio + hamRatio);
    return (UNKNOWN_STRENGTH * UNKNOWN_PROBABILITY + n * p) / (UNKNOWN_STRENGTH + n);
  }

  classify(tokens: readonly string[]): Classification {
    const clues: Clue[] = [];
    for (const token of new Set(tokens)) {
      const [spam, ham] = this.counts.get(tokenHash(token));
      const probability = this.probability(spam, ham);
      if (Math.abs(probability - 0.5) >= MIN_STRENGTH) clues.push({ token, probability });
    }
    clues.sort((a, b) => Math.abs(b.probability - 0.5) - Math.abs(a.probability - 0.5));
    const used = clues.slice(0, MAX_CLUES);
    if (used.length === 0) return { score: 0.5, reasons: [] };
    let lnHam = 0;
    let lnSpam = 0;
    for (const { probability } of used) {
      lnHam += Math.log(probability);
      lnSpam += Math.log(1 - probability);
    }
    const s = 1 - chi2Q(-2 * lnSpam, 2 * used.length);
    const h = 1 - chi2Q(-2 * lnHam, 2 * used.length);
    return { score: (1 + s - h) / 2, reasons: used.slice(0, REASONS) };
  }

  // Keeps the PRUNE_TO share of maxTokens that says the most: tokens seen in the fewest
  // messages go first (most are words seen once), among equals those whose f(w) is nearest
  // 0.5 (the count plus |f - 0.5|, which is below 1, orders both at once). Sorts every token:
  // 200-250 ms for 300,000 on x64, once per tens of thousands of new tokens.
  private prune(): void {
    const hashes: number[] = [];
    const spams: number[] = [];
    const hams: number[] = [];
    this.counts.forEach((hash, spam, ham) => {
      hashes.push(hash);
      spams.push(spam);
      hams.push(ham);
    });
    const usefulness = hashes.map((_, i) => spams[i]! + hams[i]! + Math.abs(this.probability(spams[i]!, hams[i]!) - 0.5));
    const order = hashes.map((_, i) => i).sort((a, b) => usefulness[b]! - usefulness[a]!);
    const keep = Math.floor(this.maxTokens * PRUNE_TO);
    const counts = new TokenCounts(keep);
    for (const i of order.slice(0, keep)) counts.add(hashes[i]!, spams[i]!, hams[i]!);
    this.counts = counts;
  }
}
