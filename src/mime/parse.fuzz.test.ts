// Bounded fuzzing: the corpus mutated for a fixed number of rounds with a fixed seed. Whatever the
// bytes, parseMessage answers, its tree keeps every invariant (test/fixtures/mime/check.ts), and
// the helpers that run on the tree (sections, decoding, header subsets) answer too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import type { MimePart, ParsedMessage } from './types.ts';
import { parseMessage } from './parse.ts';
import { findPart, sectionBytes } from './section.ts';
import { decodePartBody, decodePartText } from './decode.ts';
import { headerFieldsSubset } from './headers.ts';
import { decodeEncodedWords } from './encoded-words.ts';
import { filenameOf } from './params.ts';
import { readFixture, wellFormedCorpus } from '../../test/fixtures/mime/build.ts';
import { prng } from '../../test/support/prng.ts';
import { checkParsed } from '../../test/fixtures/mime/check.ts';

const ROUNDS = 3000;
const SEED = 0x5eed;

const seeds: Buffer[] = [
  ...wellFormedCorpus().map((b) => b.raw),
  ...readdirSync(new URL('../../test/fixtures/mime/', import.meta.url))
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map(readFixture),
];

// Bytes that steer a MIME parser: line ends, delimiters, headers that open containers.
const TOKENS = [
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
  'Content-Disposition: attachment; filename*0*=utf-8\'\'%E2%82; filename*1*=%AC\r\n',
  '\r\n--fz\r\n',
  '\r\n--fz--\r\n',
  'From: "a" <b@c>, g: d@e;\r\n',
];

function boundariesIn(raw: Buffer): string[] {
  const found = raw.toString('latin1').match(/boundary="?([^";\r\n]+)/gi) ?? [];
  return found.map((m) => m.replace(/^boundary="?/i, ''));
}

function mutate(input: Buffer, rnd: () => number): Buffer {
  const pick = (n: number): number => Math.floor(rnd() * n);
  let data = input;
  const steps = 1 + pick(4);
  for (let s = 0; s < steps; s++) {
    const pos = pick(data.length + 1);
    switch (pick(7)) {
      case 0: {
        // flip bytes
        const copy = Buffer.from(data);
        for (let i = 0, n = 1 + pick(8); i < n && copy.length > 0; i++) copy[pick(copy.length)] = pick(256);
        data = copy;
        break;
      }
      case 1: // delete a range
        data = Buffer.concat([data.subarray(0, pos), data.subarray(Math.min(data.length, pos + pick(200)))]);
        break;
      case 2: {
        // duplicate a range somewhere else
        const from = pick(data.length + 1);
        const chunk = data.subarray(from, from + pick(400));
        data = Buffer.concat([data.subarray(0, pos), chunk, data.subarray(pos)]);
        break;
      }
      case 3: {
        // insert a steering token
        const token = Buffer.from(TOKENS[pick(TOKENS.length)]!, 'latin1');
        data = Buffer.concat([data.subarray(0, pos), token, data.subarray(pos)]);
        break;
      }
      case 4: {
        // insert a delimiter line of a boundary the message uses
        const bs = boundariesIn(data);
        if (bs.length === 0) break;
        const line = `\r\n--${bs[pick(bs.length)]}${rnd() < 0.3 ? '--' : ''}\r\n`;
        data = Buffer.concat([data.subarray(0, pos), Buffer.from(line, 'latin1'), data.subarray(pos)]);
        break;
      }
      case 5: // truncate
        data = data.subarray(0, pos);
        break;
      default: {
        // splice with another seed
        const other = seeds[pick(seeds.length)]!;
        const from = pick(other.length + 1);
        data = Buffer.concat([data.subarray(0, pos), other.subarray(from, from + pick(2000))]);
      }
    }
  }
  return data;
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

function exercise(raw: Buffer, message: ParsedMessage): void {
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
}

test(`fuzz: ${ROUNDS} mutated messages parse and keep their invariants`, () => {
  const rnd = prng(SEED);
  let parts = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const raw = mutate(seeds[Math.floor(rnd() * seeds.length)]!, rnd);
    let message: ParsedMessage;
    try {
      message = parseMessage(raw);
      exercise(raw, message);
    } catch (err) {
      assert.fail(`round ${round} (${raw.length} bytes, base64 ${raw.toString('base64').slice(0, 2000)}): ${(err as Error).stack}`);
    }
    parts += message.root.children.length;
  }
  assert.ok(parts > ROUNDS, 'mutations should keep many multiparts intact');
});

test('fuzz: random binary garbage', () => {
  const rnd = prng(SEED + 1);
  for (let round = 0; round < 300; round++) {
    const raw = Buffer.alloc(Math.floor(rnd() * 3000));
    for (let i = 0; i < raw.length; i++) raw[i] = rnd() < 0.1 ? 0x0a : Math.floor(rnd() * 256);
    exercise(raw, parseMessage(raw));
  }
});

test('fuzz: the seeds themselves', () => {
  for (const raw of seeds) exercise(raw, parseMessage(raw));
});
