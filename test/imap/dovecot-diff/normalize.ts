// From a server's responses to comparable lines. Only what the RFCs leave to the server is
// rewritten, each for the reason given:
// - the human-readable text of OK/NO/BAD/BYE/PREAUTH responses and of continuation requests
//   (RFC 9051 7.1: "human-readable text"; the status and the response code are compared);
// - capability lists (RFC 9051 7.2.2: each server announces what it implements; every command
//   the scripts use exists in both) and the ID response (RFC 2971 3.3: server-specific fields);
// - UIDVALIDITY values (RFC 9051 2.3.1.1: chosen by the server), renamed in order of appearance
//   so that equal values stay equal and different ones different;
// - mod-sequence values (RFC 7162 3.1.1: assigned by the server, only their order is defined);
// - the form of a string: a literal whose octets a quoted string can carry is shown quoted
//   (RFC 9051 4.3: quoted and literal are two forms of one string), and a literal8 without NUL
//   as a literal (RFC 3516 4.3: literal8 only matters for NUL);
// - the order of the data items of a FETCH response (RFC 9051 7.5.2 defines a list of item
//   name/value pairs, not their order), of STATUS items (7.2.4), of the flags in a flag list
//   (2.3.2: a set), of mailbox attributes (7.3.1: a set), of LIST responses (6.3.9) and of the
//   EXPUNGE responses that remove several messages at once (7.5.1: see expungeRuns).
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

// A response cut into protocol text and literal octets, alternating (text first and last).
interface Pieces {
  text: string[];
  literals: string[];
}

const LITERAL = /~?\{(\d+)\+?\}\r\n/g;

function split(r: Response): Pieces {
  const text: string[] = [];
  const literals: string[] = [];
  let from = 0;
  LITERAL.lastIndex = 0;
  for (let m = LITERAL.exec(r); m; m = LITERAL.exec(r)) {
    const start = m.index + m[0].length;
    const end = start + Number(m[1]);
    text.push(r.slice(from, m.index) + m[0].slice(0, -2));
    literals.push(r.slice(start, end));
    from = end;
    LITERAL.lastIndex = end;
  }
  text.push(r.slice(from));
  return { text, literals };
}

function join(p: Pieces): Response {
  let out = '';
  p.text.forEach((t, i) => {
    out += t;
    if (i < p.literals.length) out += `\r\n${p.literals[i]}`;
  });
  return out;
}

const QUOTABLE = /^[\x01-\x09\x0b\x0c\x0e-\x7f]*$/;

// Literals a quoted string can carry become quoted strings; literal8 without NUL a literal.
function canonicalStrings(r: Response): Response {
  const p = split(r);
  const out: Pieces = { text: [p.text[0]!], literals: [] };
  p.literals.forEach((data, i) => {
    const head = out.text[out.text.length - 1]!;
    const marker = /~?\{\d+\+?\}$/.exec(head)!;
    const before = head.slice(0, marker.index);
    if (QUOTABLE.test(data)) {
      out.text[out.text.length - 1] = `${before}"${data.replace(/[\\"]/g, (c) => `\\${c}`)}"${p.text[i + 1]}`;
      return;
    }
    out.text[out.text.length - 1] = before + (data.includes('\0') ? marker[0] : `{${data.length}}`);
    out.literals.push(data);
    out.text.push(p.text[i + 1]!);
  });
  return join(out);
}

// --- FETCH data items, for sorting ---

// The index after the value that starts at i (an atom, number, NIL, quoted string, literal or
// parenthesized list).
function skipValue(s: string, i: number): number {
  const c = s[i];
  if (c === '(') {
    i++;
    while (s[i] !== ')') {
      if (i >= s.length) throw new Error('unterminated list');
      if (s[i] === ' ') i++;
      else i = skipValue(s, i);
    }
    return i + 1;
  }
  if (c === '"') {
    for (i++; s[i] !== '"'; i++) {
      if (i >= s.length) throw new Error('unterminated string');
      if (s[i] === '\\') i++;
    }
    return i + 1;
  }
  const literal = /^~?\{(\d+)\}\r\n/.exec(s.slice(i, i + 30));
  if (literal) return i + literal[0].length + Number(literal[1]);
  const start = i;
  while (i < s.length && !' ()'.includes(s[i]!)) i++;
  if (i === start) throw new Error(`unexpected ${JSON.stringify(s.slice(i, i + 10))}`);
  return i;
}

// An item name: an atom, with a section "[...]" (which may hold spaces and parentheses) and a
// partial "<n>".
function skipName(s: string, i: number): number {
  const start = i;
  while (i < s.length && !' ()'.includes(s[i]!)) {
    if (s[i] === '[') {
      i = s.indexOf(']', i);
      if (i < 0) throw new Error('unterminated section');
    }
    i++;
  }
  if (i === start) throw new Error('no item name');
  return i;
}

function sortFetchItems(r: Response): Response {
  const m = /^\* \d+ FETCH \(/i.exec(r);
  if (!m) return r;
  try {
    const items: { name: string; text: string }[] = [];
    let i = m[0].length;
    while (r[i] !== ')') {
      const nameEnd = skipName(r, i);
      if (r[nameEnd] !== ' ') throw new Error('no value');
      const end = skipValue(r, nameEnd + 1);
      items.push({ name: r.slice(i, nameEnd).toUpperCase(), text: r.slice(i, end) });
      i = end;
      if (r[i] === ' ') i++;
      else if (r[i] !== ')') throw new Error('expected ) or SP');
    }
    items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return m[0] + items.map((x) => x.text).join(' ') + r.slice(i);
  } catch {
    // Not well-formed: compared as sent.
    return r;
  }
}

const STATUS_RESPONSE = /^(\S+ (?:OK|NO|BAD|BYE|PREAUTH))(?: (\[[^\]]*\]))?.*$/i;

// The protocol text of a response, outside its literals.
function normalizeText(text: string, first: boolean, uidValidity: Renamer): string {
  let t = text;
  if (first) {
    if (t.startsWith('+')) return '+ <continuation>';
    if (/^\* ID /i.test(t)) return '* ID <server identification>';
  }
  t = t.replace(/CAPABILITY [^\]\r\n]*/i, 'CAPABILITY <capabilities>');
  // RFC 9051 7.2.4: STATUS items are name/value pairs in no defined order.
  t = t.replace(/^(\* STATUS .*) \(([^()]*)\)$/i, (_, head: string, list: string) => {
    const words = list.split(' ');
    const pairs: string[] = [];
    for (let i = 0; i + 1 < words.length; i += 2) pairs.push(`${words[i]} ${words[i + 1]}`);
    return `${head} (${pairs.sort().join(' ')})`;
  });
  t = t.replace(/\b(UIDVALIDITY|APPENDUID|COPYUID) (\d+)/gi, (_, k: string, v: string) => `${k} <uidvalidity ${uidValidity.name(v)}>`);
  t = t.replace(/\bMODSEQ \(\d+\)/gi, 'MODSEQ (<modseq>)').replace(/\b(HIGHESTMODSEQ|MODSEQ) \d+/gi, '$1 <modseq>');
  t = t.replace(/\b(FLAGS|PERMANENTFLAGS) \(([^()]*)\)/gi, (_, k: string, list: string) => `${k} (${list.split(' ').filter(Boolean).sort().join(' ')})`);
  // RFC 9051 7.2.2 / 7.3.1: mailbox attributes are a set.
  t = t.replace(/^(\* (?:LIST|LSUB) )\(([^()]*)\)/i, (_, head: string, list: string) => `${head}(${list.split(' ').filter(Boolean).sort().join(' ')})`);
  if (first) {
    const status = STATUS_RESPONSE.exec(t);
    if (status) return status[2] ? `${status[1]} ${status[2]}` : status[1]!;
  }
  return t;
}

// Literal octets as lines: "| " + the line, CRLF implied; a bare LF, a missing line end and
// control or 8-bit octets are spelled out, so that every octet counts.
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
    out.push(`| ${line.replace(/[\x00-\x08\x0b-\x1f\x7f-\xff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}${end}`);
  });
  return out;
}

// RFC 9051 7.5.1: each EXPUNGE names a sequence number as it is at that moment, so several
// messages can be reported in any order ("* 3 EXPUNGE" "* 1 EXPUNGE" and "* 1 EXPUNGE" "* 2 EXPUNGE"
// remove the same two). A run of them becomes the sequence numbers the messages had before it.
function expungeRuns(lines: string[]): string[] {
  const out: string[] = [];
  let run: number[] | null = null;
  const flush = () => {
    if (run) out.push(`* EXPUNGE (as numbered before: ${[...run].sort((a, b) => a - b).join(' ')})`);
    run = null;
  };
  for (const line of lines) {
    const m = /^\* (\d+) EXPUNGE$/i.exec(line);
    if (!m) {
      flush();
      out.push(line);
      continue;
    }
    run ??= [];
    // The number this message had before the run: earlier removals below it shifted it down.
    let original = Number(m[1]);
    for (const r of [...run].sort((a, b) => a - b)) if (r <= original) original++;
    run.push(original);
  }
  flush();
  return out;
}

// RFC 9051 6.3.9: LIST (and LSUB) responses come in no defined order. Each, with the STATUS
// responses that follow it (LIST-STATUS, RFC 5819), is sorted by its text.
function sortListResponses(lines: string[]): string[] {
  const out: string[] = [];
  let groups: string[][] = [];
  const flush = () => {
    groups.sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : 0));
    for (const g of groups) out.push(...g);
    groups = [];
  };
  for (const line of lines) {
    if (/^\* (LIST|LSUB) /i.test(line)) groups.push([line]);
    else if (groups.length && /^\* STATUS /i.test(line)) groups[groups.length - 1]!.push(line);
    else {
      flush();
      out.push(line);
    }
  }
  flush();
  return out;
}

// A step's lines, with the rewrites that need more than one response.
export function normalizeStep(lines: string[]): string[] {
  return sortListResponses(expungeRuns(lines));
}

// One response as comparable lines: its text up to each literal, the literal's lines, the text
// after it (indented).
export function responseLines(r: Response, uidValidity: Renamer): string[] {
  const p = split(sortFetchItems(canonicalStrings(r)));
  const out: string[] = [];
  p.text.forEach((t, i) => {
    out.push((i > 0 ? '  ' : '') + normalizeText(t, i === 0, uidValidity));
    if (i < p.literals.length) out.push(...literalLines(p.literals[i]!));
  });
  return out;
}
