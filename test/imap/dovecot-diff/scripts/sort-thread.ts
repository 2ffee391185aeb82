// SORT with every key and REVERSE (RFC 5256, RFC 5957 DISPLAYFROM/DISPLAYTO), ESORT (RFC 5267),
// THREAD with both algorithms (RFC 5256), over the corpus and over a mailbox of threads made for
// them (missing and duplicate Message-IDs, references to absent messages, reply and forward
// markers, zones, ties); SEARCH FROM on an address with comments; ESEARCH MIN/MAX with MODSEQ.
import { append, note, type Script, type Step } from './steps.ts';

const KEYS = ['ARRIVAL', 'CC', 'DATE', 'FROM', 'SIZE', 'SUBJECT', 'TO', 'DISPLAYFROM', 'DISPLAYTO'];
const everyKey = (): Step[] => KEYS.flatMap((k) => [`SORT (${k}) UTF-8 ALL`, `SORT (REVERSE ${k}) UTF-8 ALL`]);

const mail = (fields: string[], body = 'text\n') => `${fields.join('\n')}\n\n${body}`;

const THREADS: [string, string][] = [
  [
    mail(['From: "Zoe Z" <zoe@a.test>', 'To: mike@b.test', 'Subject: Project plan', 'Date: Mon, 1 Jul 2024 10:00:00 +0000', 'Message-ID: <p1@x.test>']),
    '"01-Jul-2024 09:00:00 +0000"',
  ],
  [
    mail([
      'From: adam@a.test (Adam)',
      'To: "Anna" <zack@b.test>',
      'Cc: carl@c.test',
      'Subject: Re: Project plan',
      'Date: Mon, 1 Jul 2024 12:00:00 +0200',
      'Message-ID: <p2@x.test>',
      'In-Reply-To: <p1@x.test>',
    ]),
    '"01-Jul-2024 09:00:00 +0000"',
  ],
  [
    mail(
      [
        'From: =?utf-8?q?=C3=89mile?= <emile@a.test>',
        'To: bea@b.test',
        'Subject: [team] Re: project plan',
        'Message-ID: <p3@x.test>',
        'References: <p1@x.test> <p2@x.test>',
      ],
      'a longer body\n'.repeat(20),
    ),
    '"30-Jun-2024 18:00:00 +0000"',
  ],
  [
    mail([
      'From: <user (comment)@ (comment) example.org>',
      'Subject: Lunch (fwd)',
      'Date: Tue, 2 Jul 2024 09:00 -0700',
      'Message-ID: <l1@x.test>',
      'References: <missing@x.test>',
    ]),
    '"02-Jul-2024 17:00:00 +0000"',
  ],
  [
    mail([
      'From: bob@a.test',
      'Cc: Ann <abe@c.test>',
      'Subject: Re: Lunch',
      'Date: Tue, 2 Jul 2024 08:00:00 +0000',
      'Message-ID: <l2@x.test>',
      'References: <missing@x.test>',
    ]),
    '"02-Jul-2024 08:00:01 +0000"',
  ],
  [
    mail(['From: carl@c.test', 'To: Zed <adam@a.test>', 'Subject: lunch', 'Date: Wed, 3 Jul 2024 08:00:00 +0000', 'Message-ID: <l3@x.test>']),
    '"03-Jul-2024 08:00:00 +0000"',
  ],
  [
    mail(['From: Dora <dora@d.test>', 'Subject: Fwd: [fwd: Other topic]', 'Date: 3 Jul 2024 07:00:00 +0000', 'Message-ID: <p1@x.test>']),
    '"03-Jul-2024 07:00:00 +0000"',
  ],
  [mail(['From: eve@e.test', 'Subject: other topic', 'In-Reply-To: <l3@x.test>', 'Date: Thu, 4 Jul 2024 10:00:00 +0000']), '"04-Jul-2024 10:00:00 +0000"'],
  [mail(['To: group: a@b.test, c@d.test;', 'Date: yesterday', 'Message-ID: <solo@x.test>']), '"05-Jul-2024 10:00:00 +0000"'],
];

export const sortThreadScripts: Script[] = [
  {
    name: 'sort-corpus',
    steps: [
      'EXAMINE INBOX',
      ...everyKey(),
      'SORT (SUBJECT DATE) UTF-8 ALL',
      'SORT (REVERSE FROM SIZE) UTF-8 ALL',
      'UID SORT (DATE) UTF-8 ALL',
      'SORT (DATE) UTF-8 FROM example.test',
      'SORT (REVERSE ARRIVAL) US-ASCII 5:15 LARGER 1000',
      'THREAD ORDEREDSUBJECT UTF-8 ALL',
      'THREAD REFERENCES UTF-8 ALL',
      'UID THREAD REFERENCES UTF-8 ALL',
    ],
  },
  {
    name: 'sort-thread',
    steps: [
      'CREATE Threads',
      ...THREADS.map(([raw, date]) => append('Threads', raw, date)),
      'EXAMINE Threads',
      ...everyKey(),
      'SORT (SUBJECT REVERSE DATE) UTF-8 ALL',
      'SORT (CC FROM) UTF-8 ALL',
      'UID SORT (REVERSE SUBJECT) UTF-8 NOT 4',
      'SORT (DATE) UTF-8 SUBJECT lunch',
      'THREAD ORDEREDSUBJECT UTF-8 ALL',
      'THREAD REFERENCES UTF-8 ALL',
      'UID THREAD REFERENCES UTF-8 2:*',
      'THREAD REFERENCES UTF-8 SUBJECT lunch',
      'THREAD ORDEREDSUBJECT UTF-8 FROM nobody',
      'SEARCH FROM user@example.org',
      'SEARCH FROM "USER@example"',
      'SEARCH FROM zoe@a.test',
      'SEARCH TO c@d.test',
      'SEARCH CC abe',
    ],
  },
  {
    name: 'esort',
    steps: [
      'EXAMINE Threads',
      'SORT RETURN (MIN MAX COUNT ALL) (DATE) UTF-8 ALL',
      'SORT RETURN (ALL) (REVERSE SUBJECT) UTF-8 ALL',
      'SORT RETURN () (SIZE) UTF-8 ALL',
      'SORT RETURN (COUNT) (FROM) UTF-8 SUBJECT lunch',
      'SORT RETURN (MIN) (ARRIVAL) UTF-8 FROM nobody',
      'UID SORT RETURN (MAX ALL) (DISPLAYFROM) UTF-8 ALL',
    ],
  },
  {
    name: 'esearch-modseq',
    steps: [
      'CREATE Modseq',
      ...[1, 2, 3].map((n) => append('Modseq', note(n))),
      'SELECT Modseq (CONDSTORE)',
      // mod-sequences in the order 1 < 3 < 2
      'STORE 1 +FLAGS (\\Seen)',
      'STORE 3 +FLAGS (\\Seen)',
      'STORE 2 +FLAGS (\\Flagged)',
      // The MODSEQ of what MIN or MAX returns (RFC 7162 3.1.5), seen through which messages have
      // at least that mod-sequence (the values themselves are normalized away).
      { command: 'SEARCH RETURN (MIN) MODSEQ 1', capture: { min: /MODSEQ (\d+)/ } },
      'SEARCH MODSEQ {{min}}',
      { command: 'SEARCH RETURN (MAX) MODSEQ 1', capture: { max: /MODSEQ (\d+)/ } },
      'SEARCH MODSEQ {{max}}',
      { command: 'SEARCH RETURN (MIN MAX) MODSEQ 1', capture: { both: /MODSEQ (\d+)/ } },
      'SEARCH MODSEQ {{both}}',
      { command: 'SEARCH RETURN (COUNT) MODSEQ 1', capture: { count: /MODSEQ (\d+)/ } },
      'SEARCH MODSEQ {{count}}',
    ],
  },
];
