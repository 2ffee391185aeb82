// mbox files, written as Dovecot's mbox reads them exactly: a "From " line starts each message, and
// a Content-Length header gives the length of its body (the "mboxcl2" variant), so body lines that
// start with "From " are left as they are (Dovecot, like most readers, takes a ">From " line as
// it stands). Flags are in the headers Dovecot and most mail programs read: Status (R: \Seen),
// X-Status (A: \Answered, F: \Flagged, T: \Draft, D: \Deleted), X-Keywords; X-UID holds the UID,
// and a first "folder internal data" entry (mboxFolderData) the UIDVALIDITY. Lines end in LF, as
// in any mbox; a server serving the file gives them back as CRLF. On import these headers are
// metadata: they are read and removed, and the message keeps the rest. A file without
// Content-Length is read as "mboxrd" (a ">From " line in a body loses one ">").

const META = /^(status|x-status|x-keywords|x-uid|x-imap|x-imapbase|content-length):/i;
const X_STATUS: Record<string, string> = { '\\Answered': 'A', '\\Flagged': 'F', '\\Draft': 'T', '\\Deleted': 'D' };
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// asctime(3) in UTC, as the "From " line has it: "Tue Dec  1 10:00:00 2026".
function asctime(ms: number): string {
  const d = new Date(ms);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

function parseAsctime(text: string): number | null {
  const m = /([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4})\s*$/.exec(text);
  const month = m ? MONTHS.indexOf(m[1]!) : -1;
  return m && month >= 0 ? Date.UTC(+m[6]!, month, +m[2]!, +m[3]!, +m[4]!, +m[5]!) : null;
}

// Splits a message into its header lines and its body, with LF line ends.
function lines(raw: Buffer): { header: string[]; body: string[] } {
  const text = raw.toString('latin1').replace(/\r\n/g, '\n');
  const end = text.startsWith('\n') ? 0 : text.indexOf('\n\n');
  const head = end < 0 ? text : text.slice(0, end);
  const body = end < 0 ? '' : text.slice(end + 2);
  return { header: head === '' ? [] : head.split('\n'), body: body === '' ? [] : body.replace(/\n$/, '').split('\n') };
}

// The header without mbox metadata (a field and its continuation lines).
function withoutMeta(header: readonly string[]): string[] {
  const out: string[] = [];
  let dropping = false;
  for (const l of header) {
    if (/^[ \t]/.test(l)) {
      if (!dropping) out.push(l);
      continue;
    }
    dropping = META.test(l);
    if (!dropping) out.push(l);
  }
  return out;
}

export interface MboxMessage {
  raw: Buffer;
  flags: string[];
  internalDate: number;
  uid?: number;
}

// The first entry of a file: UW-IMAP's and Dovecot's "folder internal data" message, which
// servers hide, carrying the folder's UIDVALIDITY, next UID and keywords (X-IMAP), so that an
// empty folder keeps them too.
export function mboxFolderData(uidValidity: number, uidNext: number, keywords: readonly string[], at: number): Buffer {
  return Buffer.from(
    [
      `From MAILER-DAEMON ${asctime(at)}`,
      `Date: ${new Date(at).toUTCString().replace('GMT', '+0000')}`,
      'From: Mail System Internal Data <MAILER-DAEMON@localhost>',
      "Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA",
      `X-IMAP: ${uidValidity} ${uidNext}${keywords.length ? ` ${keywords.join(' ')}` : ''}`,
      'Status: RO',
      `Content-Length: ${FOLDER_DATA_TEXT.length}`,
      '',
      FOLDER_DATA_TEXT,
    ].join('\n'),
    'latin1',
  );
}

const FOLDER_DATA_TEXT =
  'This text is part of the internal format of your mail folder, and is not\na real message. It is made by homepost export and read by mail servers.\n\n';

// One message as an mbox entry.
export function mboxEntry(m: MboxMessage): Buffer {
  const { header, body } = lines(m.raw);
  const returnPath = /^return-path:\s*<([^<>\s]*)>/im.exec(header.join('\n'))?.[1];
  const bodyText = body.length ? `${body.join('\n')}\n` : '';
  const meta = [
    `Status: ${m.flags.includes('\\Seen') ? 'RO' : 'O'}`,
    `X-Status: ${Object.entries(X_STATUS)
      .filter(([flag]) => m.flags.includes(flag))
      .map(([, c]) => c)
      .sort()
      .join('')}`,
    `X-Keywords: ${m.flags.filter((f) => !f.startsWith('\\')).join(' ')}`,
    ...(m.uid ? [`X-UID: ${m.uid}`] : []),
    `Content-Length: ${bodyText.length}`,
  ];
  const head = [`From ${returnPath || 'MAILER-DAEMON'} ${asctime(m.internalDate)}`, ...withoutMeta(header), ...meta, ''].join('\n');
  return Buffer.from(`${head}\n${bodyText}\n`, 'latin1');
}

// A "From " line that starts a message: "From <sender> <asctime>".
const SEPARATOR = /^From \S*\s.*\d{4}\s*$/;

// A message's lines as read: its From_ line, header, body, and whether a Content-Length delimited
// the body (then its lines are as they are).
interface Lines {
  from: string;
  header: string[];
  body: string[];
  counted: boolean;
}

function entryOf(e: Lines): MboxMessage | null {
  // The folder internal data message (mboxFolderData) is not mail.
  if (e.header.some((h) => /^x-imap:/i.test(h))) return null;
  const flags = new Set<string>();
  let uid: number | undefined;
  for (const l of e.header) {
    const [name, ...rest] = l.split(':');
    const value = rest.join(':').trim();
    switch (name!.toLowerCase()) {
      case 'status':
        if (value.includes('R')) flags.add('\\Seen');
        break;
      case 'x-status':
        for (const [flag, c] of Object.entries(X_STATUS)) if (value.includes(c)) flags.add(flag);
        break;
      case 'x-keywords':
        for (const k of value.split(/[\s,]+/)) if (/^[^\\\s()]+$/.test(k)) flags.add(k);
        break;
      case 'x-uid':
        if (/^\d+$/.test(value)) uid = Number(value);
        break;
    }
  }
  let body = e.body;
  if (!e.counted) {
    // The blank line before the next message belongs to the separator, not to this message.
    let last = body.length;
    while (last > 0 && body[last - 1] === '') last--;
    body = body.slice(0, last).map((l) => (/^>+From /.test(l) ? l.slice(1) : l));
  }
  const raw = Buffer.from(`${[...withoutMeta(e.header), ''].join('\n')}\n${body.length ? `${body.join('\n')}\n` : ''}`, 'latin1');
  return { raw, flags: [...flags], internalDate: parseAsctime(e.from) ?? Date.now(), uid };
}

// The messages of an mbox file read in pieces, one at a time (a message's lines are held, never
// the file). Lines are split on LF; a CR before it is kept out.
export async function* readMbox(source: AsyncIterable<Buffer>): AsyncGenerator<MboxMessage> {
  let rest = '';
  let current: Lines | null = null;
  let inHeader = false;
  let length: number | null = null; // the Content-Length of the body being read
  let read = 0; // its bytes so far
  let previousBlank = true;
  const take = (raw: string): MboxMessage | null => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let out: MboxMessage | null = null;
    if (current && !inHeader && length !== null && read < length) {
      current.body.push(line);
      read += raw.length + 1;
    } else if (previousBlank && SEPARATOR.test(line)) {
      if (current) out = entryOf(current);
      current = { from: line, header: [], body: [], counted: false };
      inHeader = true;
      length = null;
    } else if (!current) {
      if (line !== '') throw new Error('not an mbox file: it does not start with a "From " line');
    } else if (inHeader) {
      if (line === '') {
        inHeader = false;
        const cl = current.header.find((h) => /^content-length:/i.test(h));
        const n = cl ? Number(cl.slice(15).trim()) : Number.NaN;
        length = Number.isSafeInteger(n) && n >= 0 ? n : null;
        current.counted = length !== null;
        read = 0;
      } else current.header.push(line);
    } else if (!(current.counted && line === '')) current.body.push(line);
    previousBlank = line === '';
    return out;
  };
  for await (const chunk of source) {
    const text = rest + chunk.toString('latin1');
    const parts = text.split('\n');
    rest = parts.pop()!;
    for (const p of parts) {
      const m = take(p);
      if (m) yield m;
    }
  }
  if (rest !== '') {
    const m = take(rest);
    if (m) yield m;
  }
  const last = current ? entryOf(current) : null;
  if (last) yield last;
}
