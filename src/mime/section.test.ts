import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from './parse.ts';
import { type SectionText, findPart, sectionBytes, sectionRange } from './section.ts';

// The example message structure of RFC 9051 6.4.5 (RFC 3501 6.4.5), each body naming itself.
const rfcExample = Buffer.from(
  [
    'Subject: top',
    'Content-Type: multipart/mixed; boundary=top',
    '',
    '--top',
    'Content-Type: text/plain',
    '',
    'body 1',
    '--top',
    'Content-Type: application/octet-stream',
    '',
    'body 2',
    '--top',
    'Content-Type: message/rfc822',
    '',
    'Subject: three',
    'Content-Type: multipart/mixed; boundary=three',
    '',
    '--three',
    'Content-Type: text/plain',
    '',
    'body 3.1',
    '--three',
    'Content-Type: application/octet-stream',
    '',
    'body 3.2',
    '--three--',
    '--top',
    'Content-Type: multipart/mixed; boundary=four',
    '',
    '--four',
    'Content-Type: image/gif',
    '',
    'body 4.1',
    '--four',
    'Content-Type: message/rfc822',
    '',
    'Subject: four-two',
    'Content-Type: multipart/mixed; boundary=fourtwo',
    '',
    '--fourtwo',
    'Content-Type: text/plain',
    '',
    'body 4.2.1',
    '--fourtwo',
    'Content-Type: multipart/alternative; boundary=alt',
    '',
    '--alt',
    'Content-Type: text/plain',
    '',
    'body 4.2.2.1',
    '--alt',
    'Content-Type: text/richtext',
    '',
    'body 4.2.2.2',
    '--alt--',
    '--fourtwo--',
    '--four--',
    '--top--',
    '',
  ].join('\r\n'),
);

const parsed = parseMessage(rfcExample);
const get = (path: number[], text: SectionText | null = null, fields?: string[]): string | null =>
  sectionBytes(rfcExample, parsed, { path, text, fields })?.toString() ?? null;

test('RFC 9051 6.4.5 example: numeric part specifiers', () => {
  const cases: [number[], string | RegExp][] = [
    [[1], 'body 1'],
    [[2], 'body 2'],
    [[3], /^Subject: three\r\n.*--three--$/s],
    [[3, 1], 'body 3.1'],
    [[3, 2], 'body 3.2'],
    [[4], /^--four\r\n.*--four--$/s],
    [[4, 1], 'body 4.1'],
    [[4, 2], /^Subject: four-two\r\n.*--fourtwo--$/s],
    [[4, 2, 1], 'body 4.2.1'],
    [[4, 2, 2], /^--alt\r\n.*--alt--$/s],
    [[4, 2, 2, 1], 'body 4.2.2.1'],
    [[4, 2, 2, 2], 'body 4.2.2.2'],
  ];
  for (const [path, expected] of cases) {
    const actual = get(path);
    if (typeof expected === 'string') assert.equal(actual, expected, path.join('.'));
    else assert.match(actual!, expected, path.join('.'));
  }
});

test('RFC 9051 6.4.5 example: HEADER, TEXT, MIME', () => {
  assert.equal(get([], 'HEADER'), 'Subject: top\r\nContent-Type: multipart/mixed; boundary=top\r\n\r\n');
  assert.match(get([], 'TEXT')!, /^--top\r\n.*--top--\r\n$/s);
  assert.equal(get([3], 'HEADER'), 'Subject: three\r\nContent-Type: multipart/mixed; boundary=three\r\n\r\n');
  assert.match(get([3], 'TEXT')!, /^--three\r\n.*--three--$/s);
  assert.equal(get([3], 'MIME'), 'Content-Type: message/rfc822\r\n\r\n');
  assert.equal(get([4, 1], 'MIME'), 'Content-Type: image/gif\r\n\r\n');
  assert.equal(get([4, 2], 'HEADER'), 'Subject: four-two\r\nContent-Type: multipart/mixed; boundary=fourtwo\r\n\r\n');
  assert.equal(get([4, 2, 2, 2], 'MIME'), 'Content-Type: text/richtext\r\n\r\n');
  assert.equal(get([], 'HEADER.FIELDS', ['SUBJECT']), 'Subject: top\r\n\r\n');
  assert.equal(get([4, 2], 'HEADER.FIELDS.NOT', ['content-type']), 'Subject: four-two\r\n\r\n');
  assert.equal(get([]), rfcExample.toString());
});

test('sections that do not exist are null', () => {
  const missing: [number[], SectionText | null][] = [
    [[0], null],
    [[5], null],
    [[1, 1], null], // text/plain has no parts
    [[2, 1], null],
    [[3, 3], null],
    [[4, 3], null],
    [[4, 2, 2, 3], null],
    [[1.5], null],
    [[-1], null],
    [[], 'MIME'], // MIME needs a part number
    [[1], 'HEADER'], // HEADER/TEXT only below message/rfc822
    [[4], 'TEXT'],
    [[4, 1], 'HEADER.FIELDS'],
  ];
  for (const [path, text] of missing) {
    assert.equal(sectionRange(parsed, path, text), null, `${path.join('.')} ${text}`);
  }
  assert.equal(findPart(parsed, []), null);
});

test('a non-multipart message has exactly part 1: its body', () => {
  const raw = Buffer.from('Subject: s\r\nContent-Type: text/plain\r\n\r\nhello\r\n');
  const msg = parseMessage(raw);
  assert.equal(findPart(msg, [1]), msg.root);
  assert.equal(sectionBytes(raw, msg, { path: [1], text: null })!.toString(), 'hello\r\n');
  assert.equal(sectionBytes(raw, msg, { path: [1], text: 'MIME' })!.toString(), 'Subject: s\r\nContent-Type: text/plain\r\n\r\n');
  assert.equal(findPart(msg, [2]), null);
  assert.equal(findPart(msg, [1, 1]), null);
});

test('a top-level message/rfc822: part 1 is the encapsulated message, 1.1 its body', () => {
  const raw = Buffer.from('Content-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ninner body\r\n');
  const msg = parseMessage(raw);
  assert.equal(sectionBytes(raw, msg, { path: [1], text: null })!.toString(), 'Subject: inner\r\n\r\ninner body\r\n');
  assert.equal(sectionBytes(raw, msg, { path: [1], text: 'HEADER' })!.toString(), 'Subject: inner\r\n\r\n');
  assert.equal(sectionBytes(raw, msg, { path: [1], text: 'TEXT' })!.toString(), 'inner body\r\n');
  assert.equal(sectionBytes(raw, msg, { path: [1, 1], text: null })!.toString(), 'inner body\r\n');
  assert.equal(findPart(msg, [1, 2]), null);
});

test('sectionRange returns the part the bytes belong to', () => {
  const range = sectionRange(parsed, [3], 'HEADER')!;
  assert.equal(range.part, parsed.root.children[2]!.children[0]);
  assert.equal(rfcExample.toString('latin1', range.start, range.end), 'Subject: three\r\nContent-Type: multipart/mixed; boundary=three\r\n\r\n');
});
