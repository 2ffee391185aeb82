// FETCH: ENVELOPE, BODY and BODYSTRUCTURE of every corpus message; sections, partials, BINARY;
// what sets \Seen.
import { inbox, uidOf, all, fresh, type Script } from './steps.ts';

export const fetchScripts: Script[] = [
  {
    name: 'fetch-structure',
    steps: [
      'EXAMINE INBOX',
      'FETCH 1:* (UID FLAGS INTERNALDATE RFC822.SIZE)',
      ...all(inbox.length).flatMap((n) => [`UID FETCH ${n} (ENVELOPE)`, `UID FETCH ${n} (BODYSTRUCTURE)`, `UID FETCH ${n} (BODY)`]),
      'FETCH 1:3 ALL',
      'FETCH 4 FAST',
      'FETCH 5 FULL',
      'FETCH 2,4 (BODY ENVELOPE RFC822.SIZE)',
    ],
  },
  {
    name: 'fetch-sections',
    steps: [
      'EXAMINE INBOX',
      ...[
        [uidOf('mixed-related-alternative'), ['HEADER', 'TEXT', '1', '1.MIME', '1.1', '1.1.1', '1.1.2', '1.1.2.MIME', '1.2', '2', '2.MIME', '3', '1.1.1.1']],
        [uidOf('nested-rfc822-twice'), ['1', '2', '2.HEADER', '2.TEXT', '2.MIME', '2.1', '2.2', '2.2.HEADER', '2.2.1', '2.2.TEXT', '2.2.MIME']],
        [uidOf('digest'), ['1', '1.HEADER', '1.TEXT', '1.1', '3', '3.MIME']],
        [uidOf('forwarded-as-attachment'), ['2.HEADER', '2.1', '2.TEXT']],
        [uidOf('envelope-full'), ['HEADER', 'TEXT', '1', '1.MIME']],
        [uidOf('bare'), ['HEADER', 'TEXT', '1']],
        [uidOf('no-final-eol'), ['TEXT', '1']],
        [uidOf('part-lines'), ['1', '2', '3', '3.MIME']],
      ].flatMap(([uid, sections]) => (sections as string[]).map((s) => `UID FETCH ${uid} (BODY.PEEK[${s}])`)),
      `UID FETCH ${uidOf('envelope-full')} (BODY.PEEK[HEADER.FIELDS (From Subject Date X-Priority)])`,
      `UID FETCH ${uidOf('envelope-full')} (BODY.PEEK[HEADER.FIELDS.NOT (Return-Path References From Received)])`,
      `UID FETCH ${uidOf('envelope-full')} (BODY.PEEK[HEADER.FIELDS (NO-SUCH-FIELD)])`,
      `UID FETCH ${uidOf('nested-rfc822-twice')} (BODY.PEEK[2.HEADER.FIELDS (SUBJECT)])`,
      `UID FETCH ${uidOf('realistic-1')} (BODY.PEEK[HEADER.FIELDS (DKIM-Signature)])`,
      `UID FETCH ${uidOf('realistic-1')} (BODY.PEEK[]<0.40> BODY.PEEK[TEXT]<10.25> BODY.PEEK[1]<0.1>)`,
      `UID FETCH ${uidOf('realistic-1')} (BODY.PEEK[]<1490.100> BODY.PEEK[]<5000.10>)`,
      `UID FETCH ${uidOf('realistic-4')} (BODY.PEEK[TEXT]<4096.4096>)`,
      `UID FETCH ${uidOf('realistic-2')} (BODY.PEEK[])`,
      `UID FETCH ${uidOf('encoded-bodies')} (BINARY.SIZE[1] BINARY.SIZE[2] BINARY.PEEK[2] BINARY.PEEK[1]<4000.99>)`,
      `UID FETCH ${uidOf('mixed-related-alternative')} (BINARY.PEEK[1.1.2] BINARY.SIZE[2] BINARY.PEEK[1.2]<0.64>)`,
      `UID FETCH ${uidOf('envelope-full')} (BINARY.PEEK[1] BINARY.SIZE[1])`,
      `UID FETCH ${uidOf('reply')} (RFC822.HEADER RFC822.SIZE)`,
      `UID FETCH ${uidOf('mixed-related-alternative')} (BODY.PEEK[4] BODY.PEEK[1.9])`,
      'FETCH 1 (BODY.PEEK[1.MIME] BODY.PEEK[1.HEADER])',
      'FETCH 1 (BODY[0])',
      'FETCH 1 (BODY.PEEK[TEXT]<5.0>)',
    ],
  },
  {
    name: 'fetch-sets-seen',
    steps: [
      ...fresh('SeenTest'),
      'FETCH 1 (BODY[TEXT])',
      'FETCH 1 (FLAGS)',
      'FETCH 2 (RFC822)',
      'FETCH 3 (BODY.PEEK[] FLAGS)',
      'FETCH 4 (RFC822.TEXT)',
      'FETCH 5 (RFC822.HEADER FLAGS)',
      'FETCH 6 (BINARY[1]<0.10>)',
      'UID FETCH 7:8 (BODY[HEADER.FIELDS (SUBJECT)])',
      'FETCH 1:8 (FLAGS)',
      'EXAMINE SeenTest',
      'FETCH 9 (BODY[TEXT])',
      'FETCH 9 (FLAGS)',
    ],
  },
];
