// The corpus of real-world shapes (built by test/fixtures/mime/build.ts, which records where each
// part lies while writing) and the hand-written hostile messages beside it: the exact tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Address, MimePart } from './types.ts';
import { MAX_DEPTH, parseMessage } from './parse.ts';
import { decodePartBody, decodePartText } from './decode.ts';
import { decodeEncodedWords } from './encoded-words.ts';
import { emptyEnvelope } from './envelope.ts';
import { filenameOf } from './params.ts';
import { sectionBytes } from './section.ts';
import * as corpus from '../../test/fixtures/mime/build.ts';
import { checkParsed, layoutOf, shapeOf } from '../../test/fixtures/mime/check.ts';

function parse(raw: Buffer) {
  const parsed = parseMessage(raw);
  checkParsed(raw, parsed);
  return parsed;
}

// Text lines of some bytes, counted independently of the parser: their line breaks.
function textLines(bytes: Buffer): number {
  let n = 0;
  for (const c of bytes) if (c === 0x0a) n++;
  return n;
}

const addr = (name: string | null, mailbox: string | null, host: string | null): Address => ({ name, adl: null, mailbox, host });

function at(root: MimePart, ...path: number[]): MimePart {
  let part = root;
  for (const n of path) part = part.children[n]!;
  return part;
}

const body = (raw: Buffer, part: MimePart): string => raw.toString('latin1', part.bodyStart, part.end);

test('multipart/mixed > multipart/related > multipart/alternative', () => {
  const { raw, layout } = corpus.mixedRelatedAlternative();
  const parsed = parse(raw);
  assert.deepEqual(layoutOf(parsed.root), layout);
  assert.equal(shapeOf(parsed.root), 'multipart/mixed(multipart/related(multipart/alternative(text/plain,text/html),image/png),application/pdf)');
  assert.deepEqual(parsed.envelope, {
    date: 'Mon, 1 Jan 2024 10:00:00 +0000',
    subject: 'Report',
    from: [addr('Alice Example', 'alice', 'example.test')],
    sender: [addr('Alice Example', 'alice', 'example.test')],
    replyTo: [addr('Alice Example', 'alice', 'example.test')],
    to: [addr('Bob', 'bob', 'example.test')],
    cc: null,
    bcc: null,
    inReplyTo: null,
    messageId: '<corpus@example.test>',
  });
  const related = at(parsed.root, 0);
  assert.deepEqual(related.params, [
    ['boundary', 'related-2'],
    ['type', 'multipart/alternative'],
  ]);
  const [plain, html] = at(related, 0).children;
  assert.deepEqual([plain!.params, plain!.encoding, plain!.size, plain!.lines], [[['charset', 'utf-8']], '8bit', 37, 2]);
  assert.deepEqual([html!.encoding, html!.size, html!.lines], ['quoted-printable', 43, 1]);
  assert.equal(decodePartText(raw, html!), '<p>Hello Bob,</p><img src="cid:logo@x">\r\n');
  const png = at(related, 1);
  assert.deepEqual([png.id, png.disposition, png.size, png.lines], ['<logo@x>', { type: 'inline', params: [['filename', 'logo.png']] }, 412, 0]);
  assert.deepEqual(decodePartBody(raw, png), corpus.randomBytes(300, 1));
  const pdf = at(parsed.root, 1);
  assert.deepEqual(
    [pdf.description, pdf.md5, pdf.language, pdf.location, pdf.disposition, filenameOf(pdf), pdf.size],
    [
      'The report',
      'Q2hlY2sgSW50ZWdyaXR5IQ==',
      ['en', 'de'],
      'http://example.test/report.pdf',
      {
        type: 'attachment',
        params: [
          ['filename', 'report.pdf'],
          ['size', '500'],
        ],
      },
      'report.pdf',
      686,
    ],
  );
  // preamble and epilogue belong to the multipart's body and to no part
  assert.ok(body(raw, parsed.root).startsWith('This is a multi-part message in MIME format.\r\n--mixed-1\r\n'));
  assert.ok(body(raw, parsed.root).endsWith('--mixed-1--\r\nepilogue text\r\n'));
});

test('message/rfc822 nested twice', () => {
  const { raw, layout } = corpus.nestedRfc822Twice();
  const parsed = parse(raw);
  assert.deepEqual(layoutOf(parsed.root), layout);
  assert.equal(shapeOf(parsed.root), 'multipart/mixed(text/plain,message/rfc822(multipart/mixed(text/plain,message/rfc822(text/plain))))');
  const outerMsg = at(parsed.root, 1);
  const innerMsg = at(outerMsg, 0, 1);
  assert.deepEqual([outerMsg.size, outerMsg.lines, innerMsg.size, innerMsg.lines], [329, 20, 115, 6]);
  assert.equal(outerMsg.lines, textLines(raw.subarray(outerMsg.bodyStart, outerMsg.end)));
  assert.equal(outerMsg.envelope!.subject, 'Fwd: hello');
  assert.deepEqual(outerMsg.envelope!.from, [addr('Carol', 'carol', 'example.test')]);
  assert.equal(outerMsg.envelope!.messageId, null);
  assert.equal(innerMsg.envelope!.subject, 'hello');
  assert.equal(innerMsg.envelope!.messageId, '<inner@example.test>');
  assert.equal(body(raw, at(innerMsg, 0)), 'Innermost text.\r\nSecond line.\r\n');
  assert.equal(sectionBytes(raw, parsed, { path: [2, 2, 1], text: null })!.toString(), 'Innermost text.\r\nSecond line.\r\n');
  assert.equal(
    sectionBytes(raw, parsed, { path: [2, 2], text: 'HEADER' })!.toString(),
    'From: Dave <dave@example.test>\r\nSubject: hello\r\nMessage-ID: <inner@example.test>\r\n\r\n',
  );
});

test('a message forwarded as an attachment', () => {
  const { raw, layout } = corpus.forwardedAsAttachment();
  const parsed = parse(raw);
  assert.deepEqual(layoutOf(parsed.root), layout);
  const fwd = at(parsed.root, 1);
  assert.deepEqual(
    [fwd.type, fwd.subtype, fwd.params, fwd.disposition],
    ['message', 'rfc822', [['name', 'Lunch.eml']], { type: 'attachment', params: [['filename', 'Lunch.eml']] }],
  );
  assert.deepEqual(fwd.envelope, {
    date: 'Tue, 2 Jan 2024 12:00:00 +0100',
    subject: 'Lunch',
    from: [addr('Erin', 'erin', 'example.test')],
    sender: [addr('Erin', 'erin', 'example.test')],
    replyTo: [addr(null, 'lunch-list', 'example.test')],
    to: [
      addr('Alice Example', 'alice', 'example.test'),
      addr(null, 'team', null),
      addr(null, 'frank', 'example.test'),
      addr(null, 'grace', 'example.test'),
      addr(null, null, null),
    ],
    cc: [addr('Heidi, H.', 'heidi', 'example.test')],
    bcc: null,
    inReplyTo: '<plans@example.test>',
    messageId: '<lunch@example.test>',
  });
  assert.deepEqual([fwd.size, fwd.lines, at(fwd, 0).size, at(fwd, 0).lines], [402, 12, 7, 1]);
  assert.deepEqual(at(parsed.root, 0).params, [
    ['charset', 'UTF-8'],
    ['format', 'flowed'],
  ]);
});

test('RFC 2046 5.1.5 multipart/digest', () => {
  const { raw, layout } = corpus.digest();
  const parsed = parse(raw);
  assert.deepEqual(layoutOf(parsed.root), layout);
  assert.equal(shapeOf(parsed.root), 'multipart/digest(message/rfc822(text/plain),message/rfc822(text/plain),text/plain)');
  assert.deepEqual(
    parsed.root.children.map((p) => [p.size, p.lines, p.envelope?.subject ?? null]),
    [
      [46, 4, 'one'],
      [47, 4, 'two'],
      [16, 1, null],
    ],
  );
  assert.deepEqual(at(parsed.root, 0).params, []);
});

test('base64 and quoted-printable bodies decode byte for byte', () => {
  const { raw, layout, binary, text } = corpus.encodedBodies();
  const parsed = parse(raw);
  assert.deepEqual(layoutOf(parsed.root), layout);
  const [b64, qp] = parsed.root.children;
  assert.deepEqual(decodePartBody(raw, b64!), binary);
  assert.deepEqual(decodePartBody(raw, qp!), text);
  assert.equal(decodePartText(raw, qp!), text.toString('utf8'));
  assert.deepEqual([b64!.size, b64!.lines, qp!.size, qp!.lines], [5612, 0, 279, 6]);
});

test('a 20 KB folded To: header', () => {
  const { raw, layout, count } = corpus.longFoldedTo();
  const parsed = parse(raw);
  assert.deepEqual(layoutOf(parsed.root), layout);
  assert.ok(parsed.root.bodyStart > 20000);
  const to = parsed.envelope.to!;
  assert.equal(to.length, count);
  assert.deepEqual(to[0], addr('User 0', 'user0', 'example.test'));
  assert.deepEqual(to[count - 1], addr(`User ${count - 1}`, `user${count - 1}`, 'example.test'));
  assert.equal(parsed.envelope.subject, 'many');
});

test('8-bit header bytes: raw UTF-8 and latin1', () => {
  const { raw, layout } = corpus.eightBitHeaders();
  const parsed = parse(raw);
  assert.deepEqual(layoutOf(parsed.root), layout);
  assert.equal(parsed.envelope.subject, 'Gr\u00fc\u00dfe aus K\u00f6ln \u2603');
  assert.deepEqual(parsed.envelope.from, [addr('J\u00f6rg M\u00fcller', 'joerg', 'example.test')]);
  assert.deepEqual([parsed.root.size, parsed.root.lines], [7, 1]);
  assert.equal(decodePartText(raw, parsed.root), 'K\u00f6ln\r\n');
});

test('RFC 2231 file names with continuations and charset, RFC 2047 in a file name', () => {
  const { raw, layout } = corpus.rfc2231Filename();
  const parsed = parse(raw);
  assert.deepEqual(layoutOf(parsed.root), layout);
  const pdf = at(parsed.root, 1);
  const name = '\u20ac Rechnung f\u00fcr M\u00e4rz.pdf';
  assert.deepEqual(pdf.params, [['name*', name]]);
  assert.deepEqual(pdf.disposition, {
    type: 'attachment',
    params: [
      ['filename*', name],
      ['size', '42'],
    ],
  });
  assert.equal(filenameOf(pdf), name);
  const txt = at(parsed.root, 2);
  assert.deepEqual(txt.params, [
    ['name', 'long-name-part-one-part-two.txt'],
    ['charset', 'us-ascii'],
  ]);
  assert.deepEqual(txt.disposition!.params, [['filename', '=?UTF-8?B?w6TDtsO8LnR4dA==?=']]);
  assert.equal(filenameOf(txt), '\u00e4\u00f6\u00fc.txt');
});

test('RFC 2047 encoded subjects in several charsets', () => {
  for (const { raw, subject, decoded } of corpus.encodedSubjects()) {
    const parsed = parse(raw);
    assert.equal(parsed.envelope.subject, subject);
    assert.equal(decodeEncodedWords(parsed.envelope.subject!), decoded, subject);
  }
});

test('a message with 1000 parts', () => {
  const { raw, layout } = corpus.manyParts(1000);
  const parsed = parse(raw);
  assert.equal(parsed.root.children.length, 1000);
  assert.deepEqual(layoutOf(parsed.root), layout);
  assert.equal(body(raw, at(parsed.root, 999)), 'part 999\r\n');
});

test('200 levels of nesting: parsed to MAX_DEPTH, the rest kept as text', () => {
  const { raw, layout } = corpus.deepNesting(200);
  const parsed = parse(raw);
  let part = parsed.root;
  let expected = layout;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    assert.equal(shapeOf(part).startsWith('multipart/mixed(multipart/mixed('), true, `depth ${depth}`);
    assert.deepEqual([part.headerStart, part.bodyStart, part.end], [expected.headerStart, expected.bodyStart, expected.end]);
    assert.deepEqual(part.params, [['boundary', `level-${depth}=`]]);
    part = part.children[0]!;
    expected = expected.children[0]!;
  }
  // level MAX_DEPTH is a multipart past the limit: one text/plain part holding all below it
  assert.deepEqual([part.headerStart, part.bodyStart, part.end], [expected.headerStart, expected.bodyStart, expected.end]);
  assert.equal(shapeOf(part), 'multipart/mixed(text/plain)');
  const rest = part.children[0]!;
  assert.deepEqual([rest.headerStart, rest.bodyStart, rest.end], [part.bodyStart, part.bodyStart, part.end]);
  assert.ok(body(raw, rest).startsWith(`--level-${MAX_DEPTH}=\r\n`));
  assert.ok(body(raw, rest).includes('bottom'));
});

test('bare LF line ends', () => {
  const { raw, layout } = corpus.bareLf();
  const parsed = parse(raw);
  assert.deepEqual(layoutOf(parsed.root), layout);
  assert.deepEqual(
    parsed.root.children.map((p) => [body(raw, p), p.size, p.lines]),
    [
      ['line one\nline two\n', 18, 2],
      ['<p>one</p>\n', 11, 1],
    ],
  );
  assert.equal(sectionBytes(raw, parsed, { path: [], text: 'HEADER.FIELDS', fields: ['subject'] })!.toString(), 'Subject: bare LF\n\n');
});

// ---------------------------------------------------------------------------------------------
// Hand-written hostile messages (test/fixtures/mime/*.eml).

test('unterminated-header.eml: no blank line, a line without colon, no final line break', () => {
  const raw = corpus.readFixture('unterminated-header.eml');
  const parsed = parse(raw);
  assert.deepEqual([parsed.root.headerStart, parsed.root.bodyStart, parsed.root.end, parsed.root.size], [0, 99, 99, 0]);
  assert.equal(shapeOf(parsed.root), 'text/html');
  assert.equal(parsed.envelope.subject, 'no blank line');
  assert.deepEqual(parsed.envelope.from, [addr(null, 'someone', 'example.test')]);
});

test('missing-boundary.eml and wrong-boundary.eml: the body becomes one text/plain part', () => {
  for (const [file, subtype, size, lines] of [
    ['missing-boundary.eml', 'mixed', 61, 5],
    ['wrong-boundary.eml', 'alternative', 57, 5],
  ] as const) {
    const raw = corpus.readFixture(file);
    const parsed = parse(raw);
    assert.equal(shapeOf(parsed.root), `multipart/${subtype}(text/plain)`, file);
    const only = at(parsed.root, 0);
    assert.deepEqual(
      [only.headerStart, only.bodyStart, only.end, only.size, only.lines],
      [parsed.root.bodyStart, parsed.root.bodyStart, raw.length, size, lines],
      file,
    );
    assert.ok(body(raw, only).includes('hello'), file);
  }
});

test('missing-close.eml: an outer delimiter closes the inner multipart, end of input closes the rest', () => {
  const raw = corpus.readFixture('missing-close.eml');
  const parsed = parse(raw);
  assert.equal(shapeOf(parsed.root), 'multipart/mixed(multipart/alternative(text/plain,text/html),text/plain)');
  const alt = at(parsed.root, 0);
  assert.deepEqual(
    alt.children.map((p) => [body(raw, p), p.lines]),
    [
      ['inner one', 0],
      ['<p>inner two</p>', 0],
    ],
  );
  assert.equal(alt.end, raw.indexOf('\r\n--outer\r\nContent-Type: text/plain'));
  const last = at(parsed.root, 1);
  assert.equal(body(raw, last), 'last part, no close delimiter anywhere\r\n');
  assert.equal(last.end, raw.length);
});

test('preamble-boundary.eml: boundary text in the preamble, junk on delimiter lines, epilogue after close', () => {
  const raw = corpus.readFixture('preamble-boundary.eml');
  const parsed = parse(raw);
  assert.equal(shapeOf(parsed.root), 'multipart/mixed(text/plain,text/plain)');
  assert.deepEqual(
    parsed.root.children.map((p) => [body(raw, p), p.size, p.lines]),
    [
      ['one', 3, 0],
      ['two', 3, 0],
    ],
  );
  assert.equal(at(parsed.root, 0).headerStart, raw.indexOf('--b1   \r\n') + 9);
  assert.ok(body(raw, parsed.root).endsWith('--b1--  \r\nepilogue\r\n--b1\r\nnot a part: the multipart is closed\r\n'));
});

test('prefix-boundaries.eml: a boundary that is a prefix of another, both ways round', () => {
  const raw = corpus.readFixture('prefix-boundaries.eml');
  const parsed = parse(raw);
  assert.equal(shapeOf(parsed.root), 'multipart/mixed(multipart/alternative(text/plain,text/html),multipart/mixed(text/plain))');
  assert.deepEqual(
    at(parsed.root, 0).children.map((p) => body(raw, p)),
    ['inner plain', 'inner html'],
  );
  assert.equal(body(raw, at(parsed.root, 1, 0)), 'short boundary inside long one');
  assert.deepEqual(at(parsed.root, 1).params, [['boundary', '=_a']]);
});

test('cut-headers.eml: a header cut by a delimiter, an empty part, base64 message/rfc822', () => {
  const raw = corpus.readFixture('cut-headers.eml');
  const parsed = parse(raw);
  assert.equal(shapeOf(parsed.root), 'multipart/mixed(text/plain,text/plain,message/rfc822(text/plain),image/gif)');
  const [cut, empty, msg, gif] = parsed.root.children;
  assert.equal(cut!.description, 'header never ends');
  assert.equal(raw.toString('latin1', cut!.headerStart, cut!.bodyStart), 'Content-Type: text/plain\r\nContent-Description: header never ends');
  assert.deepEqual([cut!.size, empty!.size, empty!.headerStart === empty!.bodyStart], [0, 0, true]);
  assert.deepEqual([msg!.encoding, msg!.size, msg!.lines, msg!.envelope], ['base64', 36, 0, emptyEnvelope()]);
  assert.equal(decodePartBody(raw, msg!)!.toString(), 'Subject: hidden\r\n\r\nbody\r\n');
  assert.equal(body(raw, at(msg!, 0)), 'U3ViamVjdDogaGlkZGVuDQoNCmJvZHkNCg==');
  assert.deepEqual([gif!.size, gif!.lines], [0, 0]);
});

test('broken-addresses.eml: every address header still parses', () => {
  const raw = corpus.readFixture('broken-addresses.eml');
  const env = parse(raw).envelope;
  assert.deepEqual(env.from, [addr(null, 'Unterminated <broken@example.test>', 'MISSING_DOMAIN')]);
  assert.deepEqual(env.sender, [{ name: null, adl: '@route1.test,@route2.test', mailbox: 'routed', host: 'example.test' }]);
  assert.deepEqual(env.replyTo, [addr(null, 'Undisclosed recipients', null), addr(null, null, null)]);
  assert.deepEqual(env.to, [
    addr(null, 'localonly', 'MISSING_DOMAIN'),
    addr('Quoted, Name', 'q', 'example.test'),
    addr('Plain Name', 'plain', 'example.test'),
    addr('=?utf-8?q?J=C3=B6rg?=', 'joerg', 'example.test'),
    addr(null, 'team', null),
    addr(null, 'one', 'example.test'),
    addr(null, 'two', 'example.test'),
    addr(null, null, null),
    addr(null, 'MISSING_MAILBOX', 'MISSING_DOMAIN'),
    addr('John Doe', 'MISSING_MAILBOX', 'MISSING_DOMAIN'),
    addr(null, 'MISSING_MAILBOX', 'MISSING_DOMAIN'),
    addr(null, 'a"b', 'example.test'),
    addr(null, 'no-domain', 'MISSING_DOMAIN'),
  ]);
  assert.equal(env.cc, null);
  assert.deepEqual(env.bcc, [addr('garbage', 'MISSING_MAILBOX', 'MISSING_DOMAIN')]);
  assert.equal(env.messageId, '<broken@example.test>');
});
