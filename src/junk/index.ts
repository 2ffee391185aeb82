// src/junk public API: the per-account learning junk filter (docs/junk.md). Delivery asks
// judgeMessage; a user's moves into and out of Junk train and untrain with messageTokens; the
// store keeps serializeClassifier's bytes per account.
export { type Classification, type Clue, DEFAULT_MAX_TOKENS, JunkClassifier } from './classifier.ts';
export {
  JUNK_THRESHOLD,
  type JunkRule,
  type JunkVerdict,
  judgeMessage,
  judgeScan,
  MIN_TRAINED,
  type MessageScan,
  scanMessage,
  type SenderSignals,
} from './filter.ts';
export { FORMAT_VERSION, deserializeClassifier, serializeClassifier } from './format.ts';
export { GTUBE } from './gtube.ts';
export { READ_LIMITS, type ReadLimits } from './read.ts';
export { MAX_TOKENS, messageTokens } from './tokens.ts';
export { isJunkMailbox, JUNK_KEYWORD, JUNK_ORIGIN, JunkService, type JunkServiceOptions, NOT_JUNK_KEYWORD } from './service.ts';
export { JUNK_THRESHOLD_SETTING } from './settings.ts';
export { type FiledCopy, filedCopies, fileByJunk, JUNK_FIELD, type JunkFiling, junkField } from './filing.ts';
