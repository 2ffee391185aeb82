// GTUBE, the Generic Test for Unsolicited Bulk Email (SpamAssassin): a message holding this
// string is junk whatever the classifier has learnt, so a user can test the Junk path. It is
// looked for in the raw bytes read and in the decoded text (a client may send it base64).
import type { MessageRead } from './read.ts';

export const GTUBE = 'XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X';
const GTUBE_BYTES = Buffer.from(GTUBE, 'latin1');

export function hasGtube(read: MessageRead): boolean {
  return read.raw.includes(GTUBE_BYTES) || read.texts.some((text) => text.includes(GTUBE));
}
