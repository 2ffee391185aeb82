// `make bench-junk`: the junk classifier (src/junk) on the seeded corpus of bench/lib/junk-corpus.ts.
// The first TRAIN messages train it (in delivery order, as a user's moves would, with the user's
// mistakes: junk-corpus.ts MISLABELLED), the rest are
// classified as delivery would (judgeMessage: read, tokens, score). Printed: false positives (ham
// scored junk) and false negatives (spam not scored junk) on the held-out part, milliseconds per
// message there and per 4 KB message (bench/lib/corpus.ts), and the size of the counts after
// TRAIN messages, in memory and saved, and at the bound of DEFAULT_MAX_TOKENS; the held-out
// figures per kind of message; then issue 17's targets with PASS or MISS. The reference
// is bogofilter (Debian package bogofilter, a Bayesian filter of the same family), trained and
// run on the same split in bulk mode with its built-in parameters (-C), its own tokenizer and
// cutoff (0.99), and at our threshold; skipped with a note when it is not installed.
// BENCH_COUNT (14000) messages, BENCH_TRAIN (10000) of them trained on, BENCH_SEED (1).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_MAX_TOKENS, JUNK_THRESHOLD, JunkClassifier, judgeMessage, MAX_TOKENS, messageTokens, serializeClassifier } from '../src/junk/index.ts';
import { realisticMessage } from './lib/corpus.ts';
import { type JunkSample, junkCorpus } from './lib/junk-corpus.ts';
import { printTable } from './lib/table.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 14000);
const TRAIN = Number(process.env.BENCH_TRAIN ?? 10000);
const SEED = Number(process.env.BENCH_SEED ?? 1);
const SMALL = 2000; // 4 KB messages timed
const TARGET_FP = 0.005;
const TARGET_MS_4K = 2;
const TARGET_BYTES = 10 * 1024 * 1024;

interface Result {
  name: string;
  fp: number; // rate among held-out ham
  fn: number; // rate among held-out spam
  msPerMessage: number;
  msPer4k: number;
  memoryBytes: number | null;
  savedBytes: number;
}

const percent = (rate: number): string => `${(rate * 100).toFixed(2)}%`;
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

function rates(test: readonly JunkSample[], junk: readonly boolean[]): { fp: number; fn: number } {
  let hams = 0;
  let fp = 0;
  let fn = 0;
  test.forEach((sample, i) => {
    if (!sample.spam) hams++;
    if (!sample.spam && junk[i]) fp++;
    if (sample.spam && !junk[i]) fn++;
  });
  return { fp: fp / hams, fn: fn / (test.length - hams) };
}

function homepost(train: readonly JunkSample[], test: readonly JunkSample[], small: readonly Buffer[]): Result {
  const classifier = new JunkClassifier();
  const start = performance.now();
  for (const sample of train) classifier.train(messageTokens(sample.raw), sample.trainedAsSpam);
  const trainMs = performance.now() - start;
  // Warm-up of the classifying path before it is timed.
  for (const raw of small.slice(0, 200)) judgeMessage(classifier, raw);
  let t = performance.now();
  const verdicts = test.map((sample) => judgeMessage(classifier, sample.raw));
  const msPerMessage = (performance.now() - t) / test.length;
  t = performance.now();
  for (const raw of small) judgeMessage(classifier, raw);
  const msPer4k = (performance.now() - t) / small.length;
  const saved = serializeClassifier(classifier);
  console.log(
    `homepost: trained on ${train.length} messages in ${(trainMs / 1000).toFixed(1)} s (${(trainMs / train.length).toFixed(2)} ms each), ` +
      `${classifier.counts.size} tokens kept (bound ${classifier.maxTokens})`,
  );
  // Where the errors are: each kind of message, and the ham nearest the threshold.
  const kinds = [...new Set(test.map((s) => s.kind))].sort();
  printTable(
    ['kind', 'side', 'held out', 'scored junk', 'mean score'],
    kinds.map((kind) => {
      const scores = test.flatMap((s, i) => (s.kind === kind ? [verdicts[i]!] : []));
      return [
        kind,
        test.find((s) => s.kind === kind)!.spam ? 'spam' : 'ham',
        scores.length,
        percent(scores.filter((v) => v.junk).length / scores.length),
        (scores.reduce((sum, v) => sum + v.score, 0) / scores.length).toFixed(3),
      ];
    }),
  );
  const hamScores = test.flatMap((s, i) => (s.spam ? [] : [{ sample: s, verdict: verdicts[i]! }])).sort((a, b) => b.verdict.score - a.verdict.score);
  console.log(`ham scoring 0.5 or more: ${hamScores.filter((h) => h.verdict.score >= 0.5).length} of ${hamScores.length}`);
  for (const { sample, verdict } of hamScores.slice(0, 2)) {
    const reasons = verdict.reasons.map((r) => `${r.token} ${r.probability.toFixed(2)}`).join(', ');
    console.log(`  highest ham (${sample.kind}) ${verdict.score.toFixed(3)}: ${reasons}`);
  }
  return {
    name: `homepost (threshold ${JUNK_THRESHOLD})`,
    ...rates(
      test,
      verdicts.map((v) => v.junk),
    ),
    msPerMessage,
    msPer4k,
    memoryBytes: classifier.counts.byteLength,
    savedBytes: saved.length,
  };
}

// bogofilter in bulk mode over files: -s/-n to register, -T to print "file S|H|U score".
function bogofilter(train: readonly JunkSample[], test: readonly JunkSample[], small: readonly Buffer[]): Result[] | string {
  if (spawnSync('bogofilter', ['-V']).error) return 'bogofilter is not installed (apt-get install --no-install-recommends bogofilter); no reference figures';
  const dir = path.join(os.tmpdir(), `bench-junk-${process.pid}`);
  const db = path.join(dir, 'db');
  mkdirSync(db, { recursive: true });
  try {
    const write = (name: string, samples: readonly Buffer[]): string[] => {
      mkdirSync(path.join(dir, name));
      return samples.map((raw, i) => {
        const file = path.join(dir, name, String(i));
        writeFileSync(file, raw);
        return file;
      });
    };
    // Bulk mode exits with the last message's class (0 spam, 1 ham, 2 unsure); 3 is an error.
    const bulk = (args: string[], files: string[]): string => {
      const run = spawnSync('bogofilter', ['-C', '-d', db, '--db-transaction=no', ...args, '-b'], { input: `${files.join('\n')}\n`, maxBuffer: 64 << 20 });
      if (run.status === null || run.status > 2) throw new Error(`bogofilter ${args.join(' ')}: ${run.stderr}`);
      return run.stdout.toString();
    };
    const spamFiles = write(
      'spam',
      train.filter((s) => s.trainedAsSpam).map((s) => s.raw),
    );
    const hamFiles = write(
      'ham',
      train.filter((s) => !s.trainedAsSpam).map((s) => s.raw),
    );
    bulk(['-s'], spamFiles);
    bulk(['-n'], hamFiles);
    const testFiles = write(
      'test',
      test.map((s) => s.raw),
    );
    const smallFiles = write('small', small);
    let t = performance.now();
    const lines = bulk(['-T'], testFiles).trim().split('\n');
    const msPerMessage = (performance.now() - t) / test.length;
    t = performance.now();
    bulk(['-T'], smallFiles);
    const msPer4k = (performance.now() - t) / small.length;
    // "file S|H|U score", in the order given.
    const scores = lines.map((line) => Number(line.split(' ')[2]));
    const verdicts = lines.map((line) => line.split(' ')[1] === 'S');
    const savedBytes = statSync(path.join(db, 'wordlist.db')).size;
    const common = { msPerMessage, msPer4k, memoryBytes: null, savedBytes };
    return [
      { name: 'bogofilter (its cutoff 0.99)', ...rates(test, verdicts), ...common },
      {
        name: `bogofilter (threshold ${JUNK_THRESHOLD})`,
        ...rates(
          test,
          scores.map((s) => s >= JUNK_THRESHOLD),
        ),
        ...common,
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// The counts at their bound: messages of MAX_TOKENS distinct new tokens each trained until the
// classifier has pruned (random words: every hash new, the worst case for the saved size).
function atBound(): { memoryBytes: number; savedBytes: number; tokens: number; pruneMs: number } {
  const classifier = new JunkClassifier();
  let word = 0;
  let pruneMs = 0;
  while (pruneMs === 0) {
    const tokens = Array.from({ length: MAX_TOKENS }, () => `w${(word++).toString(36)}`);
    const before = classifier.counts.size;
    const t = performance.now();
    classifier.train(tokens, word % 3 === 0);
    if (classifier.counts.size < before) pruneMs = performance.now() - t;
  }
  return { memoryBytes: classifier.counts.byteLength, savedBytes: serializeClassifier(classifier).length, tokens: classifier.counts.size, pruneMs };
}

const corpus = [...junkCorpus(COUNT, SEED)];
const train = corpus.slice(0, TRAIN);
const test = corpus.slice(TRAIN);
const small = Array.from({ length: SMALL }, (_, i) => realisticMessage(i, { size: 4096 }));
const testSpam = test.filter((s) => s.spam).length;
console.log(
  `bench-junk: ${COUNT} messages (seed ${SEED}, ${corpus.filter((s) => s.spam).length} spam), trained on the first ${TRAIN}, ` +
    `held out ${test.length} (${test.length - testSpam} ham, ${testSpam} spam); ${SMALL} messages of 4 KB timed`,
);
const ours = homepost(train, test, small);
const reference = bogofilter(train, test, small);
const results = typeof reference === 'string' ? [ours] : [ours, ...reference];
console.log();
printTable(
  ['filter', 'false positives', 'false negatives', 'ms/message', 'ms/4 KB message', 'counts in memory', 'counts saved'],
  results.map((r) => [
    r.name,
    percent(r.fp),
    percent(r.fn),
    r.msPerMessage.toFixed(3),
    r.msPer4k.toFixed(3),
    r.memoryBytes === null ? '-' : mb(r.memoryBytes),
    mb(r.savedBytes),
  ]),
);
if (typeof reference === 'string') console.log(`reference: ${reference}`);
const bound = atBound();
console.log(
  `counts at the bound (${DEFAULT_MAX_TOKENS} tokens; pruned to ${bound.tokens} in ${bound.pruneMs.toFixed(0)} ms): ` +
    `${mb(bound.memoryBytes)} in memory, ${mb(bound.savedBytes)} saved`,
);
console.log();
const mark = (ok: boolean): string => (ok ? 'PASS' : 'MISS');
printTable(
  ['target (issue 17)', 'measured', ''],
  [
    ['false positives < 0.5% held out', percent(ours.fp), mark(ours.fp < TARGET_FP)],
    [`classify < ${TARGET_MS_4K} ms per 4 KB message (${os.arch()})`, `${ours.msPer4k.toFixed(3)} ms`, mark(ours.msPer4k < TARGET_MS_4K)],
    [
      `counts < 10 MB after ${TRAIN} messages (at the bound: ${mb(bound.memoryBytes)})`,
      mb(Math.max(ours.memoryBytes ?? 0, ours.savedBytes)),
      mark(Math.max(ours.memoryBytes ?? 0, ours.savedBytes) < TARGET_BYTES),
    ],
  ],
);
