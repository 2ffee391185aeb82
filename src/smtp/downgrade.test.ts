import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePartBody } from '../mime/decode.ts';
import { parseMessage } from '../mime/parse.ts';
import { encodeQuotedPrintable, headerNeedsUtf8, to7bit } from './downgrade.ts';

test('quoted-printable (RFC 2045 6.7): 76-character lines, trailing space encoded, CRLF kept', () => {
  assert.equal(encodeQuotedPrintable(Buffer.from('a=b \r\nend\t', 'latin1')), 'a=3Db=20\r\nend=09');
  const long = encodeQuotedPrintable(Buffer.from('é'.repeat(60)));
  assert.ok(
    long.split('\r\n').every((l) => l.length <= 76),
    long,
  );
  assert.ok(long.includes('=\r\n'), 'soft line breaks');
});

test('to7bit: 8-bit leaves re-encoded, containers say 7bit, message/rfc822 converted inside, the rest untouched', () => {
  const raw = Buffer.from(
    'From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\nContent-Transfer-Encoding: 8bit\r\n\r\n' +
      '--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nGrüße\r\n' +
      '--b\r\nContent-Type: text/plain\r\n\r\nplain ascii\r\n' +
      '--b\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: 8bit\r\n\r\nSubject: inner\r\nContent-Type: application/octet-stream\r\n\r\n\u00ff\u00fe\r\n' +
      '--b--\r\n',
    'utf8',
  );
  const out = to7bit(raw, parseMessage(raw));
  assert.ok(!out.some((b) => b > 0x7f), out.toString());
  const p = parseMessage(out);
  assert.equal(p.root.encoding, '7bit');
  const [text, ascii, message] = p.root.children;
  assert.equal(text.encoding, 'quoted-printable');
  assert.equal(decodePartBody(out, text)?.toString('utf8'), 'Grüße');
  assert.equal(ascii.encoding, '7bit');
  assert.ok(out.includes('\r\n\r\nplain ascii\r\n--b'), 'an ASCII part is left as it was');
  assert.equal(message.encoding, '7bit');
  const inner = message.children[0];
  assert.equal(inner.encoding, 'base64');
  assert.deepEqual(decodePartBody(out, inner), Buffer.from('\u00ff\u00fe', 'utf8'));
  const plain = Buffer.from('Subject: x\r\n\r\nascii only\r\n');
  assert.equal(to7bit(plain, parseMessage(plain)), plain, 'nothing to do');
});

test('a UTF-8 header needs SMTPUTF8', () => {
  assert.equal(headerNeedsUtf8(Buffer.from('Subject: Grüße\r\n\r\nx')), true);
  assert.equal(headerNeedsUtf8(Buffer.from('Subject: x\r\n\r\nGrüße')), false);
});
