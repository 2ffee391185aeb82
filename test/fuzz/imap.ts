// The IMAP command fuzz target: seed commands, their mutations, and hostile families, parsed the
// way a session parses them (framer.ts's split into lines and literals, then dispatch.ts's tag and
// name and the command's own argument parser) without a session or a socket. The socket-level
// test (src/imap/parser.fuzz.test.ts) replays the same seeds and mutations against a server.
import { commandTable } from '../../src/imap/commands/index.ts';
import { ImapBadSyntax, ImapUserError } from '../../src/imap/errors.ts';
import { literalAtEnd, peekTagAndCommand } from '../../src/imap/framer.ts';
import { Parser } from '../../src/imap/parser.ts';
import type { ImapSession } from '../../src/imap/session.ts';
import { fill, mutate, type FuzzTarget, type Rand } from '../support/fuzz.ts';
import type { Family } from '../support/linearity.ts';

// Command bodies (without tag and CRLF); a literal announced at the end gets its data from frame().
export const COMMAND_SEEDS = [
  'CAPABILITY',
  'NOOP',
  'ID ("name" "fuzz" "version" "1")',
  'ID NIL',
  'LOGIN "nobody@example.test" "wrong password"',
  'AUTHENTICATE PLAIN AG5vYm9keQB3cm9uZw==',
  'ENABLE CONDSTORE QRESYNC UTF8=ACCEPT IMAP4rev2',
  'SELECT INBOX',
  'SELECT INBOX (CONDSTORE)',
  'SELECT INBOX (QRESYNC (1 1 1:5 (1:3 1:3)))',
  'EXAMINE "Sent"',
  'CREATE "fuzz/a b"',
  'CREATE x (USE (\\Junk))',
  'DELETE "fuzz/a b"',
  'RENAME fuzz fuzz2',
  'SUBSCRIBE Archive',
  'UNSUBSCRIBE Archive',
  'LIST "" *',
  'LIST (SUBSCRIBED RECURSIVEMATCH) "" (% "A*") RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES SIZE))',
  'LSUB "" %',
  'NAMESPACE',
  'STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE HIGHESTMODSEQ)',
  'APPEND Drafts (\\Draft) "26-Nov-2026 07:00:00 +0000" {20+}',
  'APPEND INBOX UTF8 (~{5+}',
  'GETQUOTAROOT INBOX',
  'GETQUOTA ""',
  'SETQUOTA "" (STORAGE 10)',
  'CHECK',
  'EXPUNGE',
  'UID EXPUNGE 1:2',
  'UNSELECT',
  'SEARCH CHARSET UTF-8 OR (FROM alice SUBJECT "test 1") NOT (SEEN LARGER 10) SENTSINCE 1-Jan-2020',
  'UID SEARCH RETURN (MIN MAX COUNT ALL SAVE) UID 1:* BODY "message" HEADER Message-ID "<1@" MODSEQ 1',
  'SEARCH $',
  'SEARCH NEW OLD RECENT KEYWORD $x UNKEYWORD y DRAFT UNDRAFT BEFORE "1-Feb-2030" ON 1-Jan-2026',
  'FETCH 1:* (FLAGS UID INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY MODSEQ)',
  'FETCH 1 (BODY.PEEK[1.2.HEADER.FIELDS (From "To")]<0.10> BINARY.PEEK[1] BINARY.SIZE[1] BODY[1.MIME] RFC822.HEADER)',
  'UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)',
  'FETCH 2 FULL',
  'FETCH * BODY[]<5.10>',
  'STORE 1:* +FLAGS.SILENT (\\Seen $Fuzz)',
  'UID STORE 2 (UNCHANGEDSINCE 1) -FLAGS (\\Seen)',
  'STORE 1 FLAGS \\Flagged \\Draft',
  'COPY 1:2 Archive',
  'UID COPY 1 "Trash"',
  'MOVE 3 Junk',
  'UID MOVE 1:* Trash',
  'IDLE',
  'UID FETCH $ UID',
].map((s) => Buffer.from(s));

const TOKENS = [
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  '<',
  '>',
  '"',
  '\\',
  '*',
  '%',
  '$',
  ' ',
  '.',
  ':',
  ',',
  '~',
  '+',
  '-',
  '0',
  '9',
  '\0',
  '\x7f',
  '\xff',
  '{5}',
  '{0+}',
  '~{3+}',
  '{99999999999999999999}',
  'NIL',
  'UID ',
  'BODY[',
  'HEADER.FIELDS (',
  '<1.2>',
  '1:*',
  '\\Seen',
  '=?',
  'é',
];

// A mutated command body on one line: CR and LF would start a command with a tag we did not choose.
export function mutateCommand(body: Buffer, rnd: Rand): Buffer {
  const out = mutate(body, rnd, { seeds: COMMAND_SEEDS, tokens: TOKENS, maxChunk: 8 });
  return Buffer.from(out.filter((c) => c !== 0x0d && c !== 0x0a));
}

// The bytes to send for a command: a literal announced at the end of the line gets its data.
export function frame(tag: string, body: Buffer, rnd: Rand): Buffer {
  let line = Buffer.concat([Buffer.from(`${tag} `), body]);
  const m = /(~?)\{(\d+)(\+?)\}$/.exec(line.toString('latin1'));
  if (!m) return Buffer.concat([line, Buffer.from('\r\n')]);
  const size = Math.min(Number(m[2]), 64);
  line = Buffer.concat([line.subarray(0, line.length - m[0].length), Buffer.from(`${m[1]}{${size}${m[3]}}\r\n`)]);
  const data = Buffer.from(Array.from({ length: size }, () => 0x20 + Math.floor(rnd() * 95)));
  return Buffer.concat([line, data, Buffer.from('\r\n')]);
}

// The parts of the first command in bytes, as Framer.next() reads them off a connection: its
// lines without CRLF (or a bare LF), after each line that announces a literal that many bytes,
// and after each literal a line again (an empty one when the bytes end there).
export function splitCommand(bytes: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let pos = 0;
  for (;;) {
    const lf = bytes.indexOf(0x0a, pos);
    const end = lf === -1 ? bytes.length : lf > pos && bytes[lf - 1] === 0x0d ? lf - 1 : lf;
    const line = bytes.subarray(Math.min(pos, end), end);
    parts.push(line);
    const lit = literalAtEnd(line);
    if (lit === null || lf === -1) return parts;
    pos = lf + 1;
    parts.push(bytes.subarray(pos, pos + lit.size));
    pos += lit.size;
  }
}

// Parses the first command in bytes as dispatch.ts does, up to the point where the command would
// run: tag, name ("UID" and a second name), the command's arguments, the end of the command.
// ImapBadSyntax and ImapUserError are its answers (BAD, NO); anything else is a bug, which a
// session would turn into "NO Internal error".
export function parseCommand(bytes: Buffer, utf8 = false): void {
  const parts = splitCommand(bytes);
  const head = peekTagAndCommand(parts[0]!);
  const p = new Parser(parts);
  p.utf8Atoms = utf8;
  let tag: string;
  try {
    tag = p.tag();
  } catch (e) {
    if (e instanceof ImapBadSyntax) return;
    throw e;
  }
  // A command refused by the framer is answered with the tag it peeked: it must be this one.
  if (head.tag !== '*' && head.tag !== tag) throw new Error(`framer peeked tag ${head.tag}, parser read ${tag}`);
  try {
    p.sp();
    let name = p.atom().toUpperCase();
    if (name === 'UID') {
      p.sp();
      name = `UID ${p.atom().toUpperCase()}`;
    }
    const spec = commandTable.get(name);
    if (!spec) return;
    const session = { utf8 } as unknown as ImapSession;
    spec.args?.(p, { session, tag, name, uid: name.startsWith('UID '), message: null });
    p.end();
  } catch (e) {
    if (!(e instanceof ImapBadSyntax) && !(e instanceof ImapUserError)) throw e;
  }
}

// The limits src/imap/server.ts gives the framer: no line, and no command but APPEND's message,
// reaches the parser beyond them.
const MAX_LINE = 64 * 1024;
const MAX_COMMAND = 256 * 1024;

function line(name: string, make: (n: number) => string, o: { utf8?: boolean; maxBytes?: number } = {}): Family<Buffer> {
  return {
    name,
    build: (n) => Buffer.from(`A1 ${make(n)}\r\n`, 'latin1'),
    run: (input) => parseCommand(input, o.utf8),
    maxBytes: o.maxBytes ?? MAX_LINE,
  };
}

export const IMAP_FAMILIES: Family[] = [
  line('one long atom', (n) => `SELECT ${fill(n, 'x')}`),
  line('long 8-bit atom (UTF8=ACCEPT)', (n) => `SELECT ${fill(n, '\xe9')}`, { utf8: true }),
  line('quoted string of escapes', (n) => `LOGIN "${fill(n, '\\"')}" x`),
  line('unterminated quoted string', (n) => `LOGIN "${fill(n, 'x')}`),
  line('parentheses opened in SEARCH', (n) => `SEARCH ${fill(n, '(')}`),
  line('NOT chain in SEARCH', (n) => `SEARCH ${fill(n, 'NOT ')}ALL`),
  line('many SEARCH keys', (n) => `SEARCH ${fill(n, 'SEEN ')}ALL`),
  line('sequence set of many ranges', (n) => `FETCH ${fill(n, '1:*,')}1 FLAGS`),
  line('many FETCH items', (n) => `FETCH 1 (${fill(n, 'FLAGS ')}UID)`),
  line('section of many part numbers', (n) => `FETCH 1 BODY[${fill(n, '1.')}TEXT]`),
  line('many HEADER.FIELDS names', (n) => `FETCH 1 BODY.PEEK[HEADER.FIELDS (${fill(n, 'X ')}Y)]`),
  line('many flags in STORE', (n) => `STORE 1 +FLAGS (${fill(n, '\\Seen ')}\\Draft)`),
  line('many LIST patterns', (n) => `LIST "" (${fill(n, '% ')}*)`),
  line('many ENABLE capabilities', (n) => `ENABLE ${fill(n, 'X ')}Y`),
  line('QRESYNC known UIDs', (n) => `SELECT INBOX (QRESYNC (1 1 ${fill(n, '1:2,')}3))`),
  line('ID list of many strings', (n) => `ID (${fill(n, '"k" NIL ')})`),
  line('APPEND with many flags', (n) => `APPEND INBOX (${fill(n, '$k ')}) "26-Nov-2026 07:00:00 +0000" {1+}\r\nx`),
  line('spaces after a command', (n) => `NOOP${fill(n, ' ')}`),
  line('long literal announcement', (n) => `LOGIN {${fill(n, '9')}}`),
  line('many literals', (n) => `SEARCH ${fill(n, 'TEXT {1+}\r\nx ')}ALL`, { maxBytes: MAX_COMMAND }),
];

export const imapTarget: FuzzTarget = {
  name: 'imap-command',
  seeds: COMMAND_SEEDS.map((body) => frame('A1', body, () => 0.5)),
  // A mutated body framed like a client would send it; sometimes the framed bytes mutated again,
  // line ends and literal announcements included.
  mutate(input, rnd) {
    const framed = frame('A1', mutateCommand(input.subarray(3, input.indexOf('\r\n')), rnd), rnd);
    return rnd() < 0.3 ? mutate(framed, rnd, { seeds: COMMAND_SEEDS, tokens: [...TOKENS, '\r\n', '\n', '{2}\r\n'], maxChunk: 8 }) : framed;
  },
  check(input) {
    parseCommand(input, false);
    parseCommand(input, true);
  },
  families: IMAP_FAMILIES,
};
