// The MIME fuzz targets. mime-message: whole messages (the well-formed corpus and the malformed
// fixtures, mutated) through parseMessage, whose tree must keep every invariant
// (test/fixtures/mime/check.ts), and the helpers that run on the tree. mime-header: header field
// values through every parser of src/mime that reads one (addresses, parameters, encoded-words,
// RFC 2231 values, languages, envelopes), which never throw. Both with their hostile families.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mailboxList, parseAddressList } from '../../src/mime/address.ts';
import { decodeBase64Lenient, decodePartBody, decodePartText, decodeQuotedPrintable } from '../../src/mime/decode.ts';
import { decodeEncodedWords, decodeRfc2231Value } from '../../src/mime/encoded-words.ts';
import { buildEnvelope, envelopeFromHeader } from '../../src/mime/envelope.ts';
import { headerFieldsSubset, unfold } from '../../src/mime/headers.ts';
import { displayParam, filenameOf, parseContentType, parseDisposition, parseLanguage, parseParams, parseTransferEncoding } from '../../src/mime/params.ts';
import { parseMessage } from '../../src/mime/parse.ts';
import { findPart, sectionBytes } from '../../src/mime/section.ts';
import type { MimePart, ParsedMessage } from '../../src/mime/types.ts';
import { readFixture, wellFormedCorpus } from '../fixtures/mime/build.ts';
import { checkParsed } from '../fixtures/mime/check.ts';
import { fill, mutate, pick, type FuzzTarget, type Rand } from '../support/fuzz.ts';
import type { Family } from '../support/linearity.ts';

const MESSAGE_SEEDS: Buffer[] = [
  ...wellFormedCorpus().map((b) => b.raw),
  ...readdirSync(new URL('../fixtures/mime', import.meta.url))
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map(readFixture),
];

// Bytes that steer a MIME parser: line ends, delimiters, headers that open containers.
const MESSAGE_TOKENS = [
  '\r\n',
  '\n',
  '\r',
  '\r\n\r\n',
  '\n\n',
  '--',
  '--\r\n',
  ':',
  ' ',
  '\t',
  '"',
  '(',
  '<',
  '@',
  ';',
  '=?utf-8?q?',
  '?=',
  '\x00',
  '\xff',
  'Content-Type: multipart/mixed; boundary=fz\r\n',
  'Content-Type: multipart/digest; boundary="fz"\r\n\r\n',
  'Content-Type: message/rfc822\r\n\r\n',
  'Content-Type: message/global\r\n',
  'Content-Transfer-Encoding: base64\r\n',
  'Content-Transfer-Encoding: quoted-printable\r\n',
  "Content-Disposition: attachment; filename*0*=utf-8''%E2%82; filename*1*=%AC\r\n",
  '\r\n--fz\r\n',
  '\r\n--fz--\r\n',
  'From: "a" <b@c>, g: d@e;\r\n',
];

function boundariesIn(raw: Buffer): string[] {
  const found = raw.toString('latin1').match(/boundary="?([^";\r\n]+)/gi) ?? [];
  return found.map((m) => m.replace(/^boundary="?/i, ''));
}

// A delimiter line of a boundary the message uses, somewhere in it.
function insertDelimiter(data: Buffer, rnd: Rand): Buffer | null {
  const bs = boundariesIn(data);
  if (bs.length === 0) return null;
  const pos = Math.floor(rnd() * (data.length + 1));
  const line = `\r\n--${pick(rnd, bs)}${rnd() < 0.3 ? '--' : ''}\r\n`;
  return Buffer.concat([data.subarray(0, pos), Buffer.from(line, 'latin1'), data.subarray(pos)]);
}

export function mutateMessage(input: Buffer, rnd: Rand): Buffer {
  return mutate(input, rnd, { seeds: MESSAGE_SEEDS, tokens: MESSAGE_TOKENS, maxChunk: 400, extra: insertDelimiter });
}

// Every numbered part with its IMAP section path (RFC 9051 6.4.5 numbering).
function numbered(message: ParsedMessage): [number[], MimePart][] {
  const out: [number[], MimePart][] = [];
  const partsOf = (top: MimePart): MimePart[] => (top.type === 'multipart' ? top.children : [top]);
  const visit = (parts: MimePart[], prefix: number[]): void => {
    parts.forEach((part, i) => {
      const path = [...prefix, i + 1];
      out.push([path, part]);
      if (part.type === 'multipart') visit(part.children, path);
      else if (part.type === 'message' && part.children.length === 1) visit(partsOf(part.children[0]!), path);
    });
  };
  visit(partsOf(message.root), []);
  return out;
}

// The oracle of mime-message: the tree keeps its invariants, and sections, decoding and header
// subsets answer on every part.
export function exerciseMessage(raw: Buffer): ParsedMessage {
  const message = parseMessage(raw);
  checkParsed(raw, message);
  for (const [path, part] of numbered(message)) {
    assert.equal(findPart(message, path), part, `path ${path.join('.')}`);
    assert.equal(sectionBytes(raw, message, { path, text: null })!.length, part.size);
    sectionBytes(raw, message, { path, text: 'MIME' });
    sectionBytes(raw, message, { path, text: 'HEADER.FIELDS', fields: ['content-type', 'subject'] });
    decodePartBody(raw, part);
    if (part.type === 'text') decodePartText(raw, part);
    filenameOf(part);
  }
  headerFieldsSubset(raw, message.root.headerStart, message.root.bodyStart, ['from'], true);
  if (message.envelope.subject !== null) decodeEncodedWords(message.envelope.subject);
  return message;
}

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

function messageFamily(name: string, make: (n: number) => string, o: { maxBytes?: number } = {}): Family<Buffer> {
  return { name, build: (n) => bytes(make(n)), run: parseMessage, ...o };
}

const MULTIPART = 'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n';

// 100 multiparts nested at 8n (the parser's MAX_DEPTH), fewer in proportion below, boundary i
// i + 1 characters long so that every length is a different one, then lines that start with
// "--" and match none of them, filling n bytes.
const NESTED_MAX = 1024 * 1024;
function nestedBoundaryLines(n: number): string {
  const depth = Math.max(1, Math.min(100, Math.ceil((100 * n) / NESTED_MAX)));
  let head = 'From: a@example.test\r\n';
  for (let i = 0; i < depth; i++) head += `Content-Type: multipart/mixed; boundary="b${'x'.repeat(i)}"\r\n\r\n--b${'x'.repeat(i)}\r\n`;
  return `${head}\r\n${fill(n - head.length, `--${'y'.repeat(108)}\r\n`)}`;
}

export const MESSAGE_FAMILIES: Family[] = [
  messageFamily('header lines without a colon', (n) => `${fill(n, 'x\r\n')}\r\nbody\r\n`),
  {
    name: 'header lines without a colon (HEADER.FIELDS)',
    build: (n) => bytes(`${fill(n, 'x\r\n')}\r\n`),
    run: (raw: Buffer) => headerFieldsSubset(raw, 0, raw.length, ['subject'], false),
  },
  { name: 'header lines without a colon (ENVELOPE)', build: (n) => bytes(`${fill(n, 'x\r\n')}\r\n`), run: (raw: Buffer) => envelopeFromHeader(raw) },
  messageFamily('nested multiparts and many boundary-like lines', nestedBoundaryLines, { maxBytes: NESTED_MAX }),
  messageFamily('many parts', (n) => `${MULTIPART}${fill(n, 'x\r\n--b\r\n\r\n')}`),
  messageFamily('message/rfc822 nested deep', (n) => fill(n, 'Content-Type: message/rfc822\r\n\r\n')),
  messageFamily('multiparts nested deep', (n) =>
    Array.from({ length: Math.max(1, Math.floor(n / 60)) }, (_, i) => `Content-Type: multipart/mixed; boundary=b${i}\r\n\r\n--b${i}\r\n`).join(''),
  ),
  messageFamily('a field folded over many lines', (n) => `Subject: x\r\n${fill(n, ' y\r\n')}\r\n`),
  messageFamily('a long run of white space in a field', (n) => `Subject: a${fill(n, ' ')}b\r\n\r\n`),
  messageFamily('many header fields', (n) => `${fill(n, 'X-A: b\r\n')}\r\n`),
  messageFamily('one long header line', (n) => `Subject: ${fill(n, 'a')}\r\n\r\n`),
  messageFamily('lines of "--" in a multipart', (n) => `${MULTIPART}${fill(n, '--\r\n')}`),
  messageFamily('bare CRs in a header', (n) => `Subject: a${fill(n, '\r')}\r\n\r\n`),
  messageFamily('bare LFs in a multipart', (n) => `${MULTIPART}${fill(n, '\n')}`),
  messageFamily('Content-Type with many parameters', (n) => `Content-Type: text/plain${fill(n, '; a=b')}\r\n\r\n`),
  messageFamily('many addresses in To', (n) => `To: ${fill(n, 'a@b.example, ')}\r\n\r\n`),
  { name: 'quoted-printable soft line breaks', build: (n) => bytes(fill(n, '=\r\n')), run: decodeQuotedPrintable },
  { name: 'quoted-printable line of white space', build: (n) => bytes(fill(n, ' ')), run: decodeQuotedPrintable },
  { name: 'base64 with stray padding', build: (n) => bytes(fill(n, 'QQ=!')), run: decodeBase64Lenient },
];

export const mimeMessageTarget: FuzzTarget = {
  name: 'mime-message',
  seeds: MESSAGE_SEEDS,
  mutate: mutateMessage,
  check: (input) => void exerciseMessage(input),
  families: MESSAGE_FAMILIES,
};

const VALUE_SEEDS = [
  '"Alice Example" <alice@example.test>, Bob <bob@example.test>',
  'undisclosed-recipients:;',
  'team: a@b.example, "c d" <c@d.example>; e@f.example (comment)',
  '<@route.example,@b.example:x@y.example>',
  'John Q. Public <"john q"@[192.0.2.1]>',
  '=?utf-8?q?J=C3=BCrgen?= <j@example.test>',
  '=?iso-8859-1?B?SvxyZ2Vu?= =?utf-8*en?Q?_M=C3=BCller?=',
  'multipart/mixed; boundary="=_b (c)"; charset=us-ascii (Plain text)',
  "attachment; filename*0*=utf-8''%E2%82; filename*1*=%AC; size=10",
  'text/plain; name*=iso-8859-1\'de\'%FCber.txt; name="a\\"b"',
  'en-US, de (German) , fr',
  'quoted-printable',
  "utf-8'en'%E2%82%AC",
].map((s) => Buffer.from(s));

const VALUE_TOKENS = [
  '(',
  ')',
  '"',
  '\\',
  '<',
  '>',
  '@',
  ',',
  ';',
  ':',
  '[',
  ']',
  '=',
  '*',
  "'",
  '%',
  '=?',
  '?=',
  '?q?',
  '?B?',
  '_',
  ' ',
  '\t',
  '\r\n ',
  '\x00',
  '\xff',
  'utf-8',
  '*0*=',
  '*1=',
  "''",
  '%E2',
  '=C3',
];

// Every header-value parser of src/mime on the value, as text (8-bit bytes as UTF-8 when valid).
export function parseValue(value: string): void {
  parseAddressList(value);
  mailboxList(value);
  buildEnvelope(() => value);
  const ct = parseContentType(value);
  if (ct !== null) displayParam(ct.params, 'name');
  const cd = parseDisposition(value);
  if (cd !== null) displayParam(cd.params, 'filename');
  parseParams(value);
  parseLanguage(value);
  parseTransferEncoding(value);
  decodeEncodedWords(value);
  decodeRfc2231Value(value);
  unfold(value);
}

// Values up to 256 KB: src/mime reads 1 MB of a field at most (part-header.ts MAX_FIELD_BYTES,
// address.ts MAX_VALUE_LENGTH), and the tokens and words of a larger value are enough objects for
// the garbage collector's share of a run to grow with them.
const MAX_VALUE = 256 * 1024;

function valueFamily(name: string, make: (n: number) => string, run: (value: string) => unknown): Family<string> {
  return { name, build: make, run, maxBytes: MAX_VALUE };
}

export const VALUE_FAMILIES: Family[] = [
  valueFamily('address: comment never closed', (n) => fill(n, '('), parseAddressList),
  valueFamily('address: nested comments', (n) => `${fill(n / 2, '(')}${fill(n / 2, ')')}`, parseAddressList),
  valueFamily('address: many commas', (n) => fill(n, ','), parseAddressList),
  valueFamily('address: many addresses', (n) => fill(n, 'a@b.example, '), parseAddressList),
  valueFamily('address: quoted string never closed', (n) => `"${fill(n, 'a')}`, parseAddressList),
  valueFamily('address: angle brackets never closed', (n) => fill(n, '<a@b'), parseAddressList),
  valueFamily('address: many groups', (n) => fill(n, 'g: a@b;'), parseAddressList),
  valueFamily('address: group names without ";"', (n) => fill(n, 'g:'), parseAddressList),
  valueFamily('address: many "@"', (n) => fill(n, '@'), mailboxList),
  valueFamily('address: domain literals never closed', (n) => fill(n, '['), parseAddressList),
  valueFamily('address: many words and no specials', (n) => fill(n, 'a '), parseAddressList),
  valueFamily('address: route of many domains', (n) => `<${fill(n, '@a.example,')}:x@y>`, parseAddressList),
  valueFamily('params: many parameters', (n) => `text/plain${fill(n, '; a=b')}`, parseContentType),
  valueFamily('params: many ";"', (n) => `text/plain${fill(n, ';')}`, parseContentType),
  valueFamily('params: attributes without a value', (n) => `text/plain${fill(n, ';a')};x=1`, parseContentType),
  valueFamily('params: quoted value never closed', (n) => `text/plain; a="${fill(n, 'x')}`, parseContentType),
  valueFamily('params: quoted values without ";"', (n) => `text/plain; a=${fill(n, '"x" ')}`, parseContentType),
  valueFamily('params: comment never closed', (n) => `text/plain (${fill(n, '(')}`, parseContentType),
  valueFamily(
    'params: RFC 2231 sections',
    (n) => `attachment${Array.from({ length: Math.max(1, Math.floor(n / 20)) }, (_, i) => `; filename*${i}*=%41`).join('')}`,
    parseDisposition,
  ),
  valueFamily('params: many "="', (n) => `text/plain; a${fill(n, '=')}`, parseContentType),
  valueFamily('language: comments never closed', (n) => fill(n, '('), parseLanguage),
  valueFamily('language: many tags', (n) => fill(n, 'en, '), parseLanguage),
  valueFamily('encoded-words: many', (n) => fill(n, '=?utf-8?q?a?= '), decodeEncodedWords),
  valueFamily('encoded-words: never closed', (n) => `=?utf-8?q?${fill(n, 'a')}`, decodeEncodedWords),
  valueFamily('encoded-words: "=?" repeated', (n) => fill(n, '=?'), decodeEncodedWords),
  valueFamily('encoded-words: long charset name', (n) => `=?${fill(n, 'a')}?q?x?=`, decodeEncodedWords),
  valueFamily('encoded-words: Q text of "="', (n) => `=?utf-8?q?${fill(n, '=')}?=`, decodeEncodedWords),
  valueFamily('RFC 2231 value: "%" repeated', (n) => `utf-8''${fill(n, '%')}`, decodeRfc2231Value),
];

export const mimeHeaderTarget: FuzzTarget = {
  name: 'mime-header',
  seeds: VALUE_SEEDS,
  mutate: (input, rnd) => mutate(input, rnd, { seeds: VALUE_SEEDS, tokens: VALUE_TOKENS, maxChunk: 16 }),
  check: (input) => parseValue(input.toString('utf8')),
  families: VALUE_FAMILIES,
};
