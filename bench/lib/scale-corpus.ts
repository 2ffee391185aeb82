// The mailbox of `make bench-imap-scale` (bench/imap-scale.ts): a seeded, deterministic stream of
// messages, 90% of about 4 KB of text and 10% of about 100 KB with a base64 attachment (RFC 2045
// 6.8), from 400 senders, with subjects and dates that vary and threads (In-Reply-To and
// References, RFC 5322 3.6.4; "Re:" subjects) so that SORT and THREAD (RFC 5256) have real work.
// Dates are not in arrival order. SUBJECT_TERM occurs in some subjects, TEXT_TERM in about 1% of
// bodies and never in a header.
import { base64Line, prng, sentence } from './corpus.ts';

export const SUBJECT_TERM = 'budget';
export const TEXT_TERM = 'zanzibar';
// 2: Message-IDs with their "@" (RFC 5322 3.6.4 msg-id); version 1's "<n.seed>" were ids no
// threading algorithm takes, so THREAD REFERENCES linked nothing.
export const CORPUS_VERSION = 2;

export const FIRST = [
  'Ada',
  'Bruno',
  'Chloe',
  'Dmitri',
  'Elena',
  'Farid',
  'Greta',
  'Hiro',
  'Ines',
  'Jonas',
  'Kemal',
  'Lena',
  'Marta',
  'Nils',
  'Olga',
  'Pavel',
  'Quinn',
  'Rosa',
  'Sven',
  'Tara',
];
export const LAST = [
  'Abbott',
  'Berg',
  'Costa',
  'Dubois',
  'Eklund',
  'Fischer',
  'Garcia',
  'Horvat',
  'Ivanova',
  'Jansen',
  'Kowalski',
  'Lindqvist',
  'Moreau',
  'Novak',
  'Okafor',
  'Petrov',
  'Rossi',
  'Schmidt',
  'Tanaka',
  'Varga',
];
const DOMAINS = ['example.org', 'example.net', 'mail.example.com', 'lists.example.org'];

export interface CorpusMessage {
  raw: Buffer; // CRLF line ends
  internalDate: number; // whole seconds, in milliseconds
}

// The messages of one mailbox in delivery order; messages(count, seed) gives the same ones each time.
export function* messages(count: number, seed: number, to = 'bench@example.test'): Generator<CorpusMessage> {
  const rand = prng(seed);
  const subjects: string[] = [];
  const refs: string[][] = [];
  const start = Date.UTC(2025, 0, 1) / 1000;
  for (let i = 0; i < count; i++) {
    const first = FIRST[Math.floor(rand() * FIRST.length)];
    const last = LAST[Math.floor(rand() * LAST.length)];
    const from = `${first} ${last} <${first.toLowerCase()}.${last.toLowerCase()}@${DOMAINS[Math.floor(rand() * DOMAINS.length)]}>`;
    // 40% reply to one of the 300 messages before (a thread grows), the rest start one.
    const parent = i > 0 && rand() < 0.4 ? Math.max(0, i - 1 - Math.floor(rand() * 300)) : -1;
    let subject: string;
    let references: string[];
    if (parent >= 0) {
      subject = subjects[parent].startsWith('Re: ') ? subjects[parent] : `Re: ${subjects[parent]}`;
      references = [...refs[parent], `<${parent}.${seed}@example.org>`].slice(-10);
    } else {
      subject = sentence(rand)
        .slice(0, 20 + Math.floor(rand() * 50))
        .replace(/\.$/, '');
      if (rand() < 0.05) subject = `${subject} ${SUBJECT_TERM}`;
      references = [];
    }
    subjects.push(subject);
    refs.push(references);
    // Ten minutes apart on average, up to two days early or late.
    const date = Math.floor(start + i * 600 + (rand() - 0.5) * 172_800);
    const dateText = new Date(date * 1000).toUTCString().replace('GMT', '+0000');
    const headers = [
      `Received: from mx${i % 7}.example.org (mx${i % 7}.example.org [192.0.2.${i % 250}])`,
      `\tby mail.example.test with ESMTPS id ${base64Line(rand, 12)}; ${dateText}`,
      `From: ${from}`,
      `To: <${to}>`,
      `Subject: ${subject}`,
      `Date: ${dateText}`,
      `Message-ID: <${i}.${seed}@example.org>`,
      ...(references.length ? [`In-Reply-To: ${references.at(-1)}`, `References: ${references.join('\r\n ')}`] : []),
      'MIME-Version: 1.0',
    ];
    const text = body(rand, 2500 + Math.floor(rand() * 3000), rand() < 0.01);
    const raw =
      rand() < 0.1
        ? withAttachment(headers, text, rand, 95_000 + Math.floor(rand() * 10_000), i)
        : `${headers.join('\r\n')}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${text}`;
    yield { raw: Buffer.from(raw, 'latin1'), internalDate: (date + 3600) * 1000 };
  }
}

// Lines of English-like text, about `size` bytes, CRLF; `term` puts TEXT_TERM in one line.
function body(rand: () => number, size: number, term: boolean): string {
  let text = '';
  while (text.length < size) {
    let line = '';
    while (line.length < 60) line += (line ? ' ' : '') + sentence(rand);
    text += `${line}\r\n`;
    if (rand() < 0.15) text += '\r\n';
  }
  return term ? `${text}The shipment to ${TEXT_TERM} is late.\r\n` : text;
}

// multipart/mixed (RFC 2046 5.1): the text, then a PDF-named attachment of `size` bytes in base64.
function withAttachment(headers: string[], text: string, rand: () => number, size: number, i: number): string {
  const boundary = `=_bench_${i}`;
  const bytes = Buffer.alloc(Math.floor((size * 57) / 78 / 4) * 4);
  for (let n = 0; n < bytes.length; n += 4) bytes.writeUInt32LE(Math.floor(rand() * 4294967296), n);
  const lines = bytes.toString('base64').match(/.{1,76}/g) ?? [];
  return (
    `${headers.join('\r\n')}\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n` +
    `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\n${text}` +
    `--${boundary}\r\nContent-Type: application/pdf; name="report-${i}.pdf"\r\nContent-Disposition: attachment; filename="report-${i}.pdf"\r\n` +
    `Content-Transfer-Encoding: base64\r\n\r\n${lines.join('\r\n')}\r\n--${boundary}--\r\n`
  );
}
