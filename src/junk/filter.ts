// The junk verdict on one message: what delivery will ask. GTUBE first, then the account's
// classifier over the message's tokens.
import type { Clue, JunkClassifier } from './classifier.ts';
import { hasGtube } from './gtube.ts';
import { readMessage } from './read.ts';
import { tokenize } from './tokens.ts';

// A score from here up files the message into Junk (SpamBayes's spam_cutoff).
export const JUNK_THRESHOLD = 0.9;

export interface JunkVerdict {
  score: number;
  junk: boolean;
  reasons: Clue[];
}

export function judgeMessage(classifier: JunkClassifier, message: Buffer, threshold = JUNK_THRESHOLD): JunkVerdict {
  const read = readMessage(message);
  if (hasGtube(read)) return { score: 1, junk: true, reasons: [{ token: 'gtube', probability: 1 }] };
  const { score, reasons } = classifier.classify(tokenize(read));
  return { score, junk: score >= threshold, reasons };
}
