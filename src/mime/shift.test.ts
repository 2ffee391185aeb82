// Shifting a parse equals parsing again, over the corpus and the hostile fixtures: what SMTP relies
// on to store the queue's copy of a message (without Return-Path) from the final copy's parse.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import * as corpus from '../../test/fixtures/mime/build.ts';
import { parseMessage } from './parse.ts';
import { shiftParsed } from './shift.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../../test/fixtures/mime');

test('the parse of a message with a Return-Path on top, shifted back, is the parse of the message', () => {
  const messages: Buffer[] = [
    corpus.mixedRelatedAlternative().raw,
    corpus.nestedRfc822Twice().raw,
    corpus.forwardedAsAttachment().raw,
    corpus.digest().raw,
    corpus.encodedBodies().raw,
    corpus.manyParts(50).raw,
    corpus.deepNesting(30).raw,
    Buffer.from('no header at all'),
    Buffer.from('\r\nbody after an empty header\r\n'),
    ...readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.eml'))
      .map((f) => corpus.readFixture(f)),
  ];
  const returnPath = Buffer.from('Return-Path: <sender@example.org>\r\n');
  for (const raw of messages) {
    const withPath = parseMessage(Buffer.concat([returnPath, raw]));
    assert.deepEqual(shiftParsed(withPath, -returnPath.length), parseMessage(raw));
    assert.deepEqual(shiftParsed(parseMessage(raw), returnPath.length), withPath);
  }
});
