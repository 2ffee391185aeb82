// The junk verdict on one message: what delivery asks. GTUBE first, then the account's
// classifier over the message's tokens, once it has trained on enough mail to judge by content.
import type { ParsedMessage } from '../mime/index.ts';
import type { Clue, JunkClassifier } from './classifier.ts';
import { hasGtube } from './gtube.ts';
import { READ_LIMITS, readMessage } from './read.ts';
import { tokenize } from './tokens.ts';

// A score from here up files the message into Junk (SpamBayes's spam_cutoff).
export const JUNK_THRESHOLD = 0.9;
// Trained spam and ham messages, each, before content decides: a classifier that has seen a
// handful of messages gives strong clues from chance words.
export const MIN_TRAINED = 10;

// What decided: GTUBE, a check of the sender at SMTP time, the sender's reputation with the
// account, the classifier's score, or nothing (too little training to judge).
export type JunkRule = 'gtube' | 'sender' | 'reputation' | 'content' | 'untrained';

// The message's author as DMARC vouched for it (RFC 7489 4.2: its one From address, whose domain
// a passing SPF or DKIM identifier is aligned with), and whether a passing DKIM signature is
// aligned (RFC 7489 3.1.1): only that makes the domain's history the domain's own.
export interface Author {
  address: string; // lowercase addr-spec
  domain: string; // lowercase
  dkimAligned: boolean;
}

// Why an account trusts the sender (reputation.ts): it has written to the author, or the author's
// domain, DKIM-aligned, has a good history with it.
export type Trust = 'correspondent' | 'domain';

// What the SMTP-time checks said of the sender (src/smtpserver/policy, JunkMark): the rule that
// asks for Junk whatever the words (a DMARC p=quarantine failure), and points added to the content
// score (reverse DNS, HELO; at most a few tenths, so they only tip a message the words leave in
// doubt, and never one the filter is not trained to judge).
// `author`: null when DMARC did not pass. `trust`: the account's own, set per account at filing.
export interface SenderSignals {
  junkRule: string | null;
  points: number;
  author?: Author | null;
  trust?: Trust | null;
}

export const NO_SIGNALS: SenderSignals = { junkRule: null, points: 0 };

// `byContent`: what a trained classifier's score (with the points) said, whatever decided; null
// when it did not judge (GTUBE, a sender mark, too little training).
export interface JunkVerdict {
  score: number;
  junk: boolean;
  rule: JunkRule;
  reasons: Clue[];
  byContent: boolean | null;
}

// What the filter reads of a message: its tokens, and whether it holds GTUBE. Account-free, so
// it is made once per message (off the event loop: src/offload's junk-scan job) and judged by
// every recipient's classifier.
export interface MessageScan {
  tokens: string[];
  gtube: boolean;
}

// `parsed`: the message's parse when the caller has it (readMessage).
export function scanMessage(message: Buffer, parsed?: ParsedMessage): MessageScan {
  const read = readMessage(message, READ_LIMITS, parsed);
  return { tokens: tokenize(read), gtube: hasGtube(read) };
}

export function trainedEnough(classifier: JunkClassifier): boolean {
  return classifier.spamMessages >= MIN_TRAINED && classifier.hamMessages >= MIN_TRAINED;
}

// GTUBE and a sender mark come first: GTUBE is the user's test of the Junk path, and a mark needs a
// DMARC or SPF failure, which a trusted author (DMARC pass) cannot have. Then trust: the content
// is scored (and its reasons given) but files nothing.
export function judgeScan(classifier: JunkClassifier, scan: MessageScan, threshold = JUNK_THRESHOLD, signals = NO_SIGNALS): JunkVerdict {
  if (scan.gtube) return { score: 1, junk: true, rule: 'gtube', reasons: [{ token: 'gtube', probability: 1 }], byContent: null };
  if (signals.junkRule !== null)
    return { score: 1, junk: true, rule: 'sender', reasons: [{ token: `rule:${signals.junkRule}`, probability: 1 }], byContent: null };
  const { score, reasons } = classifier.classify(scan.tokens);
  const trained = trainedEnough(classifier);
  const total = trained ? Math.min(1, score + signals.points) : score;
  const byContent = trained ? total >= threshold : null;
  if (signals.trust)
    return { score: total, junk: false, rule: 'reputation', reasons: [{ token: `trust:${signals.trust}`, probability: 0 }, ...reasons], byContent };
  if (!trained) return { score, junk: false, rule: 'untrained', reasons, byContent };
  return { score: total, junk: total >= threshold, rule: 'content', reasons, byContent };
}

export function judgeMessage(classifier: JunkClassifier, message: Buffer, parsed?: ParsedMessage, threshold = JUNK_THRESHOLD): JunkVerdict {
  return judgeScan(classifier, scanMessage(message, parsed), threshold);
}
