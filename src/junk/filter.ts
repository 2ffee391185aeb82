// The junk verdict on one message: what delivery will ask. GTUBE first, then the account's
// classifier over the message's tokens.
import type { ParsedMessage } from '../mime/index.ts';
import type { Clue, JunkClassifier } from './classifier.ts';
import { hasGtube } from './gtube.ts';
import { READ_LIMITS, readMessage } from './read.ts';
import { tokenize } from './tokens.ts';

// A score from here up files the message into Junk (SpamBayes's spam_cutoff).
export const JUNK_THRESHOLD = 0.9;

export interface JunkVerdict {
  score: number;
  junk: boolean;
  reasons: Clue[];
}

// `parsed`: the message's parse when the caller has it (readMessage).
export function judgeMessage(classifier: JunkClassifier, message: Buffer, parsed?: ParsedMessage, threshold = JUNK_THRESHOLD): JunkVerdict {
  const read = readMessage(message, READ_LIMITS, parsed);
  if (hasGtube(read)) return { score: 1, junk: true, reasons: [{ token: 'gtube', probability: 1 }] };
  const { score, reasons } = classifier.classify(tokenize(read));
  return { score, junk: score >= threshold, reasons };
}
