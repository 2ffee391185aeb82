// The messages both servers hold in INBOX, in this order (UID n is corpus[n-1]): the MIME corpus
// of test/fixtures/mime (rich structures, encodings, RFC 2231, 8-bit headers, malformed shapes),
// realistic mail from bench/lib/corpus.ts, and hand-written messages for ENVELOPE corner cases and
// SEARCH keys (dates, sizes, addresses, charsets). Each has a distinct INTERNALDATE in whole
// seconds, a few days apart, so that date searches split the set.
import { realisticMessage } from '../../../bench/lib/corpus.ts';
import {
  deepNesting,
  digest,
  eightBitHeaders,
  encodedBodies,
  encodedSubjects,
  forwardedAsAttachment,
  longFoldedTo,
  manyParts,
  mixedRelatedAlternative,
  nestedRfc822Twice,
  readFixture,
  rfc2231Filename,
} from '../../fixtures/mime/build.ts';

export interface CorpusMessage {
  label: string;
  raw: Buffer;
  internalDate: number;
}

const crlf = (s: string) => Buffer.from(s.replace(/\r?\n/g, '\r\n'), 'utf8');

// ENVELOPE: every field, groups, Sender and Reply-To differing from From, RFC 2047 names.
const envelopeFull = crlf(`Return-Path: <bounce@lists.example.org>
Date: Sat, 15 Jun 2024 09:30:00 +0200
From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <joerg@example.org>
Sender: List Robot <robot@lists.example.org>
Reply-To: "Team, The" <team@example.org>, other@example.org
To: Bob <bob@example.test>, undisclosed-recipients:;
Cc: carol@example.test, Friends: dave@example.test, "Eve E." <eve@example.test>;
Bcc: secret@example.test
Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe_aus_K=C3=B6ln?=
Message-ID: <envelope-full@example.org>
In-Reply-To: <earlier@example.org>
References: <first@example.org> <earlier@example.org>
X-Priority: 1 (Highest)
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

Sch=F6ne Gr=FC=DFe aus K=F6ln, und bis bald.
Das Budget f=FCr das n=E4chste Quartal ist angeh=E4ngt.
`);

// Nothing but a body: ENVELOPE of NILs (and From-derived defaults that are NIL too).
const bare = crlf(`X-Note: no From, no Date, no Subject

A message without the usual header fields.
`);

// A text body whose last line has no line break (body-fld-lines).
const noFinalEol = Buffer.from(
  'From: lines@example.org\r\nSubject: no final line break\r\nDate: Mon, 1 Jul 2024 12:00:00 +0000\r\n\r\nfirst line\r\nsecond line without CRLF',
  'utf8',
);

// Parts whose last line runs into the delimiter's CRLF (RFC 2046 5.1.1), and one ending in CRLF.
const partLines = crlf(`From: lines@example.org
Subject: part line counts
Date: Mon, 1 Jul 2024 12:05:00 +0000
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary=lc

--lc
Content-Type: text/plain

one line, no line break before the delimiter
--lc
Content-Type: text/plain

two lines
and a line break before the delimiter

--lc
Content-Type: text/plain

--lc--
`);

// HTML only, in 8-bit UTF-8, with a Content-Language and a Content-ID.
const html = crlf(`From: "Newsletter" <news@shop.example.com>
To: user@example.test
Subject: Sommerangebote =?ISO-8859-1?Q?f=FCr_Sie?=
Date: Wed, 3 Jul 2024 18:00:00 -0400
Message-ID: <html-only@shop.example.com>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: 8bit
Content-Language: de
Content-ID: <body@shop.example.com>

<html><body><h1>Sommerangebote</h1><p>Nur diese Woche: 20 % auf alles. Größe egal.</p></body></html>
`);

// A reply in a thread with a long, folded subject and several recipients.
const reply = crlf(`From: Carol <carol@example.test>
To: Alice Example <alice@example.test>,
 Bob <bob@example.test>
Cc: "Quarterly Review" <review@example.test>
Subject: Re: Quarterly budget review: the agenda for the meeting on
 Thursday and the minutes of the last one
Date: Tue, 2 Jul 2024 08:15:00 +0000
Message-ID: <reply-2@example.test>
In-Reply-To: <reply-1@example.test>
References: <reply-1@example.test>

Thanks, see you Thursday. The invoice is attached to the earlier mail.
> quoted text from the previous message
`);

const realistic = (i: number, size: number) =>
  // CRLF only: the generator can end a message in CR CR LF.
  Buffer.from(realisticMessage(i, { size, to: 'user@example.test', seed: 11 }).toString('latin1').replace(/\r+\n/g, '\r\n'), 'latin1');

function messages(): [string, Buffer][] {
  return [
    ['mixed-related-alternative', mixedRelatedAlternative().raw],
    ['nested-rfc822-twice', nestedRfc822Twice().raw],
    ['forwarded-as-attachment', forwardedAsAttachment().raw],
    ['digest', digest().raw],
    ['encoded-bodies', encodedBodies().raw],
    ['long-folded-to', longFoldedTo().raw],
    ['eight-bit-headers', eightBitHeaders().raw],
    ['rfc2231-filename', rfc2231Filename().raw],
    ...encodedSubjects().map((s, i): [string, Buffer] => [`encoded-subject-${i + 1}`, s.raw]),
    ['many-parts', manyParts(6).raw],
    ['deep-nesting', deepNesting(5).raw],
    ['envelope-full', envelopeFull],
    ['bare', bare],
    ['no-final-eol', noFinalEol],
    ['part-lines', partLines],
    ['html', html],
    ['reply', reply],
    ['realistic-1', realistic(1, 1500)],
    ['realistic-2', realistic(2, 3000)],
    ['realistic-3', realistic(3, 6000)],
    ['realistic-4', realistic(4, 12000)],
    ['realistic-5', realistic(5, 2500)],
  ];
}

// Messages outside the well-formed corpus: malformed MIME (test/fixtures/mime/*.eml). RFC 2046
// and RFC 9051 do not say how to read them, so the servers' readings differ where their parsers
// decide differently; they get their own mailbox and script. (Bare LF line ends cannot reach the
// store through delivery, which normalizes them: the append script APPENDs such a message.)
export const MALFORMED = [
  'broken-addresses.eml',
  'cut-headers.eml',
  'missing-boundary.eml',
  'missing-close.eml',
  'preamble-boundary.eml',
  'prefix-boundaries.eml',
  'unterminated-header.eml',
  'wrong-boundary.eml',
  'empty-fields.eml',
];

const DAY = 86_400_000;
const dated = (list: [string, Buffer][], base: number): CorpusMessage[] =>
  list.map(([label, raw], i) => ({ label, raw, internalDate: base + i * 3 * DAY + i * 61_000 }));

// INBOX, from 2024-01-01 10:00:00 UTC on.
export function inboxCorpus(): CorpusMessage[] {
  return dated(messages(), Date.UTC(2024, 0, 1, 10, 0, 0));
}

// The mailbox "Malformed".
export function malformedCorpus(): CorpusMessage[] {
  return dated(
    MALFORMED.map((f): [string, Buffer] => [f, readFixture(f)]),
    Date.UTC(2023, 5, 1, 6, 0, 0),
  );
}
