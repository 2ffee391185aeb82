// The junk filter's settings (docs/junk.md).
import { duration, structured } from '../settings/define.ts';
import { JUNK_THRESHOLD } from './filter.ts';

export const JUNK_THRESHOLD_SETTING = structured<number>({
  key: 'junk.threshold',
  description: 'the junk score (0 to 1) from which delivered mail goes to the Junk mailbox',
  default: JUNK_THRESHOLD,
  rule: 'a number from 0.5 to 1',
  parse(v) {
    if (typeof v !== 'number' || !(v >= 0.5 && v <= 1)) throw new Error('not in range');
    return v;
  },
});

export const HAM_AFTER_SETTING = duration({
  key: 'junk.hamAfter',
  default: 3 * 86_400_000,
  min: 0,
  max: 365 * 86_400_000,
  description: 'how long a read message stays in a mailbox other than Junk, Trash, Sent or Drafts before it trains the junk filter as ham (0: never)',
});
