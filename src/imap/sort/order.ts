// SORT's criteria (RFC 5256 3, RFC 5957 DISPLAYFROM/DISPLAYTO) as comparable keys computed once
// per message from its summary (src/store/header-cache.ts) and, for SIZE, its record. Strings are compared in their i;unicode-casemap
// form as src/mime/base-subject.ts canonical() approximates it (upper case, NFKD), by code point.
import { canonical, decodeEncodedWords, type Address } from '../../mime/index.ts';
import type { MessageRecord, MessageSummary } from '../../store/index.ts';
import { seconds } from './packed-sort.ts';

export const SORT_KEYS = ['ARRIVAL', 'CC', 'DATE', 'FROM', 'SIZE', 'SUBJECT', 'TO', 'DISPLAYFROM', 'DISPLAYTO'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export interface SortCriterion {
  key: SortKey;
  reverse: boolean;
}

// RFC 5256 3 FROM, TO, CC: "the [IMAP] addr-mailbox of the first ... address". The first IMAP
// address of a list that opens with a group is the group's start marker, whose addr-mailbox is
// the group name (RFC 9051 7.5.2), as Dovecot reads it too.
function mailboxOf(list: readonly Address[] | null): string {
  return canonical(list?.[0]?.mailbox ?? '');
}

// RFC 5957 3: the display-name of the first address (RFC 2047 decoded) when there is one and it
// is not empty, otherwise its addr-spec (a group: its name); the empty string without an address.
function displayOf(list: readonly Address[] | null): string {
  const a = list?.[0];
  if (a === undefined) return '';
  const name = a.name === null ? '' : decodeEncodedWords(a.name).trim();
  return canonical(name || (a.host === null ? (a.mailbox ?? '') : `${a.mailbox}@${a.host}`));
}

// RFC 5256 3 DATE: "the sent date ... If the sent date cannot be determined ... the INTERNALDATE";
// both to the second (packed-sort.ts).
const sentDate = (s: MessageSummary): number => seconds(s.headers.date ?? s.internalDate);

export function sortValue(key: SortKey, s: MessageSummary, record: () => MessageRecord): SortValue {
  const h = s.headers;
  switch (key) {
    case 'ARRIVAL':
      return seconds(s.internalDate);
    case 'CC':
      return mailboxOf(h.cc);
    case 'DATE':
      return sentDate(s);
    case 'FROM':
      return mailboxOf(h.from);
    case 'SIZE':
      return record().size;
    case 'SUBJECT':
      return h.baseSubject;
    case 'TO':
      return mailboxOf(h.to);
    case 'DISPLAYFROM':
      return displayOf(h.from);
    case 'DISPLAYTO':
      return displayOf(h.to);
  }
}

export type SortValue = number | string;

// Criteria in order, each possibly reversed, over each message's values (sortValue, one per
// criterion); messages equal on all of them stay in mailbox order (RFC 5256 3: "sorted according
// to the order in which they appear in the mailbox").
export function comparator(criteria: readonly SortCriterion[]): (a: { seq: number; data: SortValue[] }, b: { seq: number; data: SortValue[] }) => number {
  return (a, b) => {
    for (let i = 0; i < criteria.length; i++) {
      const x = a.data[i]!;
      const y = b.data[i]!;
      if (x !== y) return (x < y ? -1 : 1) * (criteria[i]!.reverse ? -1 : 1);
    }
    return a.seq - b.seq;
  };
}
