import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MimePart } from './types.ts';
import { MAX_PARTS, parseMessage } from './parse.ts';
import { emptyEnvelope } from './envelope.ts';
import { checkParsed, layoutOf, shapeOf } from '../../test/fixtures/mime/check.ts';
import { deepNesting, manyParts } from '../../test/fixtures/mime/build.ts';

const crlf = (lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'latin1');

function parse(raw: Buffer) {
  const parsed = parseMessage(raw);
  checkParsed(raw, parsed);
  return parsed;
}

// [headerStart, bodyStart, end, size, lines] of a part
const offsets = (p: MimePart): number[] => [p.headerStart, p.bodyStart, p.end, p.size, p.lines];

test('single-part messages: offsets, sizes and text lines', () => {
  const cases: [string, number[]][] = [
    ['Subject: s\r\n\r\nhello\r\n', [0, 14, 21, 7, 1]],
    // no line break at the end: no complete line (RFC 5322 2.1)
    ['Subject: s\r\n\r\nhello', [0, 14, 19, 5, 0]],
    ['Subject: s\r\n\r\na\r\nb\r\n\r\n', [0, 14, 22, 8, 3]],
    ['Subject: s\r\n\r\n\r\n', [0, 14, 16, 2, 1]],
    // empty body, header-only (no blank line), no header at all, empty message
    ['Subject: s\r\n\r\n', [0, 14, 14, 0, 0]],
    ['Subject: s\r\n', [0, 12, 12, 0, 0]],
    ['Subject: s', [0, 10, 10, 0, 0]],
    ['\r\nbody', [0, 2, 6, 4, 0]],
    ['', [0, 0, 0, 0, 0]],
    // bare LF
    ['Subject: s\n\nline\nline\n', [0, 12, 22, 10, 2]],
    // a line without colon does not end the header: the blank line does
    ['Subject: s\r\nnot a header\r\n\r\nbody', [0, 28, 32, 4, 0]],
  ];
  for (const [input, expected] of cases) {
    const parsed = parse(Buffer.from(input, 'latin1'));
    assert.deepEqual(offsets(parsed.root), expected, JSON.stringify(input));
    assert.equal(shapeOf(parsed.root), 'text/plain', JSON.stringify(input));
  }
});

test('the empty message', () => {
  const parsed = parse(Buffer.alloc(0));
  assert.equal(parsed.size, 0);
  assert.deepEqual(parsed.envelope, emptyEnvelope());
  assert.deepEqual(parsed.root.params, [['charset', 'us-ascii']]);
  assert.equal(parsed.root.encoding, '7bit');
});

test('RFC 2045 5.2 defaults: missing or invalid Content-Type is text/plain; charset=us-ascii', () => {
  const cases: [string, string, [string, string][]][] = [
    ['Subject: x\r\n\r\n', 'text/plain', [['charset', 'us-ascii']]],
    ['Content-Type: garbage\r\n\r\n', 'text/plain', [['charset', 'us-ascii']]],
    ['Content-Type:\r\n\r\n', 'text/plain', [['charset', 'us-ascii']]],
    ['Content-Type: text/html\r\n\r\n', 'text/html', [['charset', 'us-ascii']]],
    ['Content-Type: TEXT/Plain; Charset=UTF-8\r\n\r\n', 'text/plain', [['charset', 'UTF-8']]],
    ['Content-Type: image/png; name=a.png\r\n\r\n', 'image/png', [['name', 'a.png']]],
    // the first Content-Type counts
    ['Content-Type: image/gif\r\nContent-Type: text/html\r\n\r\n', 'image/gif', []],
    // folded
    ['Content-Type: application/pdf;\r\n\tname="a b.pdf"\r\n\r\n', 'application/pdf', [['name', 'a b.pdf']]],
  ];
  for (const [input, type, params] of cases) {
    const root = parse(Buffer.from(input)).root;
    assert.equal(`${root.type}/${root.subtype}`, type, input);
    assert.deepEqual(root.params, params, input);
  }
});

test('part fields: encoding, id, description, md5, disposition, language, location', () => {
  const root = parse(
    crlf([
      'Content-Type: application/octet-stream',
      'Content-Transfer-Encoding: BASE64',
      'Content-ID: <id@x>',
      'Content-Description: a  description',
      'Content-MD5: abc=',
      'Content-Disposition: ATTACHMENT; filename="f.bin"',
      'Content-Language: en, fr',
      'Content-Location: http://x.test/f.bin',
      '',
      'AAAA',
    ]),
  ).root;
  assert.deepEqual(
    [root.encoding, root.id, root.description, root.md5, root.disposition, root.language, root.location],
    ['BASE64', '<id@x>', 'a  description', 'abc=', { type: 'attachment', params: [['filename', 'f.bin']] }, ['en', 'fr'], 'http://x.test/f.bin'],
  );
  const bare = parse(Buffer.from('\r\n')).root;
  assert.deepEqual(
    [bare.encoding, bare.id, bare.description, bare.md5, bare.disposition, bare.language, bare.location],
    ['7bit', null, null, null, null, null, null],
  );
});

test('RFC 2046 5.1.1 multipart: delimiters, CRLF before a delimiter, preamble and epilogue', () => {
  const raw = crlf([
    'Content-Type: multipart/mixed; boundary=b',
    '',
    'preamble',
    '--b',
    '',
    'one',
    '--b',
    'Content-Type: text/html',
    '',
    'two',
    '',
    '--b--',
    'epilogue',
  ]);
  const parsed = parse(raw);
  const s = raw.toString('latin1');
  assert.equal(shapeOf(parsed.root), 'multipart/mixed(text/plain,text/html)');
  assert.deepEqual(offsets(parsed.root), [0, 45, raw.length, raw.length - 45, 0]);
  const [one, two] = parsed.root.children;
  assert.equal(s.slice(one!.headerStart, one!.end), '\r\none');
  // "one" runs into the delimiter's CRLF: no line break of its own (RFC 2046 5.1.1)
  assert.deepEqual(offsets(one!), [s.indexOf('--b') + 5, s.indexOf('--b') + 7, s.indexOf('one') + 3, 3, 0]);
  assert.equal(s.slice(two!.headerStart, two!.bodyStart), 'Content-Type: text/html\r\n\r\n');
  assert.equal(s.slice(two!.bodyStart, two!.end), 'two\r\n');
  assert.equal(two!.lines, 1);
});

test('multipart with bare LF and a delimiter right after the header', () => {
  const raw = Buffer.from('Content-Type: multipart/alternative; boundary="x y"\n\n--x y\n\na\n--x y--\n');
  const parsed = parse(raw);
  const part = parsed.root.children[0]!;
  assert.equal(raw.toString('latin1', part.bodyStart, part.end), 'a');
  assert.equal(part.lines, 0);
});

test('RFC 2046 5.1.5 multipart/digest parts default to message/rfc822', () => {
  const raw = crlf([
    'Content-Type: multipart/digest; boundary=d',
    '',
    '--d',
    '',
    'Subject: one',
    '',
    'first',
    '--d',
    'Content-Type: text/plain',
    '',
    'second',
    '--d--',
  ]);
  const parsed = parse(raw);
  assert.equal(shapeOf(parsed.root), 'multipart/digest(message/rfc822(text/plain),text/plain)');
  assert.equal(parsed.root.children[0]!.envelope!.subject, 'one');
  // a multipart/mixed inside the digest part resets the default
  const nested = parse(
    crlf(['Content-Type: multipart/digest; boundary=d', '', '--d', 'Content-Type: multipart/mixed; boundary=m', '', '--m', '', 'x', '--m--', '--d--']),
  );
  assert.equal(shapeOf(nested.root), 'multipart/digest(multipart/mixed(text/plain))');
});

test('message/rfc822 and message/global encapsulate a message with its envelope', () => {
  for (const subtype of ['rfc822', 'global']) {
    const raw = crlf([`Content-Type: message/${subtype}`, '', 'Subject: inner', 'From: a@x.test', '', 'inner body', '']);
    const parsed = parse(raw);
    assert.equal(shapeOf(parsed.root), `message/${subtype}(text/plain)`);
    assert.equal(parsed.root.envelope!.subject, 'inner');
    assert.deepEqual(parsed.root.envelope!.from, [{ name: null, adl: null, mailbox: 'a', host: 'x.test' }]);
    assert.equal(parsed.root.lines, 4);
    const inner = parsed.root.children[0]!;
    assert.equal(raw.toString('latin1', inner.bodyStart, inner.end), 'inner body\r\n');
  }
});

test('message/rfc822 with a non-identity encoding: NIL envelope, body as one text/plain part', () => {
  const raw = crlf(['Content-Type: message/rfc822', 'Content-Transfer-Encoding: base64', '', 'U3ViamVjdDogeA0KDQp5DQo=', '']);
  const parsed = parse(raw);
  assert.equal(shapeOf(parsed.root), 'message/rfc822(text/plain)');
  assert.deepEqual(parsed.root.envelope, emptyEnvelope());
  const body = parsed.root.children[0]!;
  assert.deepEqual(layoutOf(body), { headerStart: parsed.root.bodyStart, bodyStart: parsed.root.bodyStart, end: raw.length, children: [] });
});

test('malformed multiparts keep their content reachable as one text/plain part', () => {
  const cases: [string, string[]][] = [
    ['missing boundary parameter', ['Content-Type: multipart/mixed', '', '--b', '', 'x', '--b--', '']],
    ['empty boundary', ['Content-Type: multipart/mixed; boundary=""', '', '--', '', 'x', '']],
    ['boundary never appears', ['Content-Type: multipart/mixed; boundary=b', '', '--c', '', 'x', '--c--', '']],
    ['close delimiter first', ['Content-Type: multipart/mixed; boundary=b', '', '--b--', 'x', '']],
    ['empty body', ['Content-Type: multipart/mixed; boundary=b', '', '']],
    ['no body at all', ['Content-Type: multipart/mixed; boundary=b']],
  ];
  for (const [name, lines] of cases) {
    const raw = crlf(lines);
    const parsed = parse(raw);
    assert.equal(shapeOf(parsed.root), 'multipart/mixed(text/plain)', name);
    const only = parsed.root.children[0]!;
    assert.deepEqual([only.headerStart, only.bodyStart, only.end], [parsed.root.bodyStart, parsed.root.bodyStart, raw.length], name);
    assert.deepEqual(only.params, [['charset', 'us-ascii']], name);
  }
});

test('a header cut by a delimiter ends the part; the line break belongs to the delimiter', () => {
  const raw = crlf(['Content-Type: multipart/mixed; boundary=b', '', '--b', 'Content-Type: text/html', '--b', '--b', 'Content-Type: text/plain', '', '--b--']);
  const parsed = parse(raw);
  const s = raw.toString('latin1');
  const [cut, empty, blank] = parsed.root.children;
  assert.equal(shapeOf(parsed.root), 'multipart/mixed(text/html,text/plain,text/plain)');
  assert.equal(s.slice(cut!.headerStart, cut!.bodyStart), 'Content-Type: text/html');
  assert.equal(cut!.size, 0);
  assert.equal(empty!.headerStart, empty!.end);
  // The blank line is the delimiter's CRLF: the part is its header field alone (RFC 2046 5.1.1).
  assert.equal(s.slice(blank!.headerStart, blank!.bodyStart), 'Content-Type: text/plain\r\n');
  assert.equal(blank!.size, 0);
});

test('delimiters: trailing junk ignored, longest matching boundary wins, outer delimiter closes inner parts', () => {
  const raw = crlf([
    'Content-Type: multipart/mixed; boundary=ab',
    '',
    '--ab junk',
    'Content-Type: multipart/mixed; boundary=abc',
    '',
    '--abc',
    '',
    'inner one',
    '--abc\t',
    '',
    'inner two',
    '--ab',
    '',
    'outer two',
    '--ab--',
  ]);
  const parsed = parse(raw);
  assert.equal(shapeOf(parsed.root), 'multipart/mixed(multipart/mixed(text/plain,text/plain),text/plain)');
  const s = raw.toString('latin1');
  const inner = parsed.root.children[0]!;
  assert.deepEqual(
    inner.children.map((p) => s.slice(p.bodyStart, p.end)),
    ['inner one', 'inner two'],
  );
  assert.equal(s.slice(parsed.root.children[1]!.bodyStart, parsed.root.children[1]!.end), 'outer two');
});

test('a nested multipart reusing its parent boundary: the innermost takes the delimiters', () => {
  const raw = crlf([
    'Content-Type: multipart/mixed; boundary=same',
    '',
    '--same',
    'Content-Type: multipart/alternative; boundary=same',
    '',
    '--same',
    '',
    'a',
    '--same--',
    '--same',
    '',
    'b',
    '--same--',
  ]);
  const parsed = parse(raw);
  assert.equal(shapeOf(parsed.root), 'multipart/mixed(multipart/alternative(text/plain),text/plain)');
});

test('8-bit boundary bytes match byte for byte', () => {
  const raw = Buffer.concat([Buffer.from('Content-Type: multipart/mixed; boundary="\xe9t\xe9"\r\n\r\n--\xe9t\xe9\r\n\r\nx\r\n--\xe9t\xe9--\r\n', 'latin1')]);
  assert.equal(shapeOf(parse(raw).root), 'multipart/mixed(text/plain)');
  assert.equal(parse(raw).root.children[0]!.size, 1);
});

test('an RFC 2231 encoded boundary matches its bytes', () => {
  const raw = Buffer.from("Content-Type: multipart/mixed; boundary*=utf-8''%C3%A9x\r\n\r\n--\u00e9x\r\n\r\nbody\r\n--\u00e9x--\r\n", 'utf8');
  const parsed = parse(raw);
  assert.equal(shapeOf(parsed.root), 'multipart/mixed(text/plain)');
  assert.equal(raw.toString('latin1', parsed.root.children[0]!.bodyStart, parsed.root.children[0]!.end), 'body');
  assert.deepEqual(parsed.root.params, [['boundary*', '\u00e9x']]);
});

test('part limit: after MAX_PARTS parts, delimiters are text of the last part', () => {
  const built = manyParts(MAX_PARTS + 5);
  const parsed = parse(built.raw);
  assert.equal(parsed.root.children.length, MAX_PARTS - 1);
  const last = parsed.root.children[MAX_PARTS - 2]!;
  assert.equal(last.end, built.raw.length);
  assert.deepEqual(layoutOf(parsed.root.children[100]!), built.layout.children[100]);
});

test('a delimiter right after a blank line or a delimiter: no part ends before a part inside it', () => {
  // [name, lines, shape, the part's MIME header, where it ends] (Dovecot reads them the same way)
  const cases: [string, string[], string, string, string][] = [
    [
      'multipart header then outer delimiter: the blank line is the delimiter CRLF',
      ['Content-Type: multipart/mixed; boundary=o', '', '--o', 'Content-Type: multipart/mixed; boundary=i', '', '--o--', ''],
      'multipart/mixed(multipart/mixed(text/plain))',
      'Content-Type: multipart/mixed; boundary=i\r\n',
      '\r\n--o--',
    ],
    [
      'message header then outer delimiter: an empty encapsulated message',
      ['Content-Type: multipart/mixed; boundary=o', '', '--o', 'Content-Type: message/rfc822', '', '--o--', ''],
      'multipart/mixed(message/rfc822(text/plain))',
      'Content-Type: message/rfc822\r\n',
      '\r\n--o--',
    ],
    [
      'inner delimiter then outer delimiter',
      ['Content-Type: multipart/mixed; boundary=o', '', '--o', 'Content-Type: multipart/mixed; boundary=i', '', '--i', '--o--', ''],
      'multipart/mixed(multipart/mixed(text/plain))',
      'Content-Type: multipart/mixed; boundary=i\r\n\r\n',
      '--o--',
    ],
  ];
  for (const [name, lines, shape, header, end] of cases) {
    const raw = crlf(lines);
    const parsed = parse(raw);
    assert.equal(shapeOf(parsed.root), shape, name);
    const inner = parsed.root.children[0]!;
    assert.equal(raw.toString('latin1', inner.headerStart, inner.bodyStart), header, name);
    assert.equal(inner.end, raw.indexOf(end), name);
    for (const child of inner.children) assert.ok(child.headerStart >= inner.bodyStart && child.end <= inner.end, name);
  }
});

test('boundaries that are prefixes of one another past the depth limit keep every invariant', () => {
  // "level-1" is a prefix of "level-10", "level-100": RFC 2046 forbids it, senders do it anyway
  const { raw } = deepNesting(150, (level) => `level-${level}`);
  const parsed = parse(raw);
  assert.equal(parsed.root.children[0]!.params[0]![1], 'level-1');
});
