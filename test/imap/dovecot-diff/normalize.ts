// From a server's responses to comparable lines. What is normalized, and why it may differ:
// - the human-readable text of OK/NO/BAD/BYE/PREAUTH responses and of continuation requests
//   (RFC 9051 7.1: "human-readable text"; only the status and the response code are protocol);
// - capability lists (RFC 9051 7.2.2: each server announces what it implements; the commands that
//   the scripts use exist in both);
// - the ID response (RFC 2971 3.3: server-specific fields);
// - UIDVALIDITY values (RFC 9051 2.3.1.1: chosen by the server; only their stability matters),
//   renamed in order of appearance so that equal values stay equal;
// - mod-sequence values (RFC 7162 3.1.1: assigned by the server, only their order is defined).
// Everything else, literal octets included, is compared as sent. INTERNALDATE needs no rewriting:
// both servers get the same dates and Dovecot runs with TZ=UTC.
import type { Response } from './client.ts';

// Renames UIDVALIDITY values of one server's transcript consistently across a run.
export class Renamer {
  private names = new Map<string, string>();
  private prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  name(value: string): string {
    let n = this.names.get(value);
    if (!n) {
      n = `${this.prefix}${this.names.size + 1}`;
      this.names.set(value, n);
    }
    return n;
  }
}

const STATUS_RESPONSE = /^(\S+ (?:OK|NO|BAD|BYE|PREAUTH))(?: (\[[^\]]*\]))?.*$/i;

// The text of one response outside its literals, normalized.
function normalizeText(text: string, uidValidity: Renamer): string {
  let t = text;
  t = t.replace(/CAPABILITY [^\]\r\n]*/i, 'CAPABILITY <capabilities>');
  if (/^\* ID /i.test(t)) return '* ID <server identification>';
  if (t.startsWith('+')) return '+ <continuation>';
  t = t.replace(/\b(UIDVALIDITY|APPENDUID|COPYUID) (\d+)/gi, (_, k: string, v: string) => `${k} <uidvalidity ${uidValidity.name(v)}>`);
  t = t.replace(/\bMODSEQ \(\d+\)/gi, 'MODSEQ (<modseq>)').replace(/\b(HIGHESTMODSEQ|MODSEQ) \d+/gi, '$1 <modseq>');
  const status = STATUS_RESPONSE.exec(t);
  if (status) return status[2] ? `${status[1]} ${status[2]}` : status[1]!;
  return t;
}

// Shows literal octets as lines: "| " + the line, CRLF implied; a bare LF, a missing line end and
// control or 8-bit bytes are spelled out, so that every octet is compared.
function literalLines(data: string): string[] {
  const out: string[] = [];
  const pieces = data.split('\n');
  pieces.forEach((piece, i) => {
    const last = i === pieces.length - 1;
    if (last && piece === '') return;
    let line = piece;
    let end = '';
    if (last) end = ' <no line end>';
    else if (line.endsWith('\r')) line = line.slice(0, -1);
    else end = ' <bare LF>';
    out.push('| ' + line.replace(/[\x00-\x08\x0b-\x1f\x7f-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`) + end);
  });
  return out;
}

// One response as lines: its text up to each literal, the literal's lines, the text after it.
export function responseLines(r: Response, uidValidity: Renamer): string[] {
  const out: string[] = [];
  let rest = r;
  let text = '';
  for (;;) {
    const m = /\{(\d+)\+?\}\r\n/.exec(rest);
    if (!m) break;
    text += rest.slice(0, m.index + m[0].length - 2);
    const start = m.index + m[0].length;
    const n = Number(m[1]);
    out.push(normalizeText(text, uidValidity));
    out.push(...literalLines(rest.slice(start, start + n)));
    rest = rest.slice(start + n);
    text = '  ';
  }
  out.push(normalizeText(text + rest, uidValidity));
  return out;
}
