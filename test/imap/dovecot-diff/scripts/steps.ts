// What a script is, and helpers the scripts share (see index.ts for the step syntax).
import { inboxCorpus } from '../corpus.ts';

export type Step = string | { session?: 'a' | 'b'; command: string; capture?: Record<string, RegExp> };

export interface Script {
  name: string;
  sessions?: ('a' | 'b')[];
  steps: Step[];
}

export const inbox = inboxCorpus();
export const uidOf = (label: string): number => {
  const i = inbox.findIndex((m) => m.label === label);
  if (i < 0) throw new Error(`no corpus message ${label}`);
  return i + 1;
};
export const all = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

// A mailbox of its own holding a copy of INBOX (flags and INTERNALDATE kept), selected by the
// given sessions.
export function fresh(mailbox: string, sessions: ('a' | 'b')[] = ['a']): Step[] {
  return [`CREATE ${mailbox}`, 'EXAMINE INBOX', `COPY 1:* ${mailbox}`, ...sessions.map((s) => `${s}: SELECT ${mailbox}`)];
}

// APPEND with a non-synchronizing literal (RFC 7888 LITERAL+, which both servers offer); line
// ends become CRLF unless asked to stay as written.
export function append(mailbox: string, raw: string, extra = '', lineEnds: 'crlf' | 'as-is' = 'crlf'): string {
  return `APPEND ${mailbox}${appendMessage(raw, extra, lineEnds)}`;
}

// RFC 3502 MULTIAPPEND: the messages, each with its flags and date (extra), in one APPEND.
export function multiAppend(mailbox: string, messages: { raw: string; extra?: string }[]): string {
  return `APPEND ${mailbox}${messages.map((m) => appendMessage(m.raw, m.extra ?? '', 'crlf')).join('')}`;
}

function appendMessage(raw: string, extra: string, lineEnds: 'crlf' | 'as-is'): string {
  const data = lineEnds === 'crlf' ? raw.replace(/\r?\n/g, '\r\n') : raw;
  return `${extra ? ` ${extra}` : ''} {${Buffer.byteLength(data)}+}\r\n${data}`;
}

export const note = (n: number, subject = `note ${n}`) =>
  `From: Writer <writer@example.test>\nTo: user@example.test\nSubject: ${subject}\nDate: Fri, 5 Jul 2024 10:0${n % 10}:00 +0000\nMessage-ID: <note-${n}@example.test>\n\nNote number ${n}.\n`;

// A UTF-8 search string as a literal (RFC 9051 6.4.4: CHARSET; 8-bit text needs a literal).
export const utf8Literal = (s: string) => `{${Buffer.byteLength(s)}+}\r\n${s}`;
