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

// What decided: GTUBE, a check of the sender at SMTP time, the classifier's score, or nothing
// (too little training to judge).
export type JunkRule = 'gtube' | 'sender' | 'content' | 'untrained';

// What the SMTP-time checks said of the sender (src/smtpserver/policy, JunkMark): the rule that
// asks for Junk whatever the words (a DMARC p=quarantine failure), and points added to the content
// score (reverse DNS, HELO; at most a few tenths, so they only tip a message the words leave in
// doubt, and never one the filter is not trained to judge).
export interface SenderSignals {
  junkRule: string | null;
  points: number;
}

export const NO_SIGNALS: SenderSignals = { junkRule: null, points: 0 };

export interface JunkVerdict {
  score: number;
  junk: boolean;
  rule: JunkRule;
  reasons: Clue[];
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

export function judgeScan(classifier: JunkClassifier, scan: MessageScan, threshold = JUNK_THRESHOLD, signals = NO_SIGNALS): JunkVerdict {
  if (scan.gtube) return { score: 1, junk: true, rule: 'gtube', reasons: [{ token: 'gtube', probability: 1 }] };
  if (signals.junkRule !== null) return { score: 1, junk: true, rule: 'sender', reasons: [{ token: `rule:${signals.junkRule}`, probability: 1 }] };
  const { score, reasons } = classifier.classify(scan.tokens);
  if (!trainedEnough(classifier)) return { score, junk: false, rule: 'untrained', reasons };
  const total = Math.min(1, score + signals.points);
  return { score: total, junk: total >= threshold, rule: 'content', reasons };
}

export function judgeMessage(classifier: JunkClassifier, message: Buffer, parsed?: ParsedMessage, threshold = JUNK_THRESHOLD): JunkVerdict {
  return judgeScan(classifier, scanMessage(message, parsed), threshold);
}
