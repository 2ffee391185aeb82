import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { octetSize } from '../store/octets.ts';
import { stuffedPieces } from './octets.ts';

const enc = (raw: string | Buffer, opts?: { bodyLines?: number; crlf?: boolean }) =>
  Buffer.concat([...stuffedPieces(Buffer.from(raw), opts)]).toString('latin1');

// What a client does with a multi-line response body (RFC 1939 3): drop one leading "." per line.
function unstuff(text: string): string {
  return text
    .split('\r\n')
    .map((l) => (l.startsWith('.') ? l.slice(1) : l))
    .join('\r\n');
}

describe('octetSize and stuffedPieces (RFC 1939 3, 11)', () => {
  // [stored message, as RETR sends it (stuffed), octet count]
  const cases: [string, string, number][] = [
    ['', '', 0],
    ['Subject: a\r\n\r\nbody\r\n', 'Subject: a\r\n\r\nbody\r\n', 20],
    // Bare LF line ends become CRLF and count two octets (RFC 1939 11).
    ['Subject: a\n\nline1\n.dot\nlast\n', 'Subject: a\r\n\r\nline1\r\n..dot\r\nlast\r\n', 33],
    // A last line without a line end is sent with CRLF, and the count says so.
    ['Subject: a\n\nline1\n.dot\nlast', 'Subject: a\r\n\r\nline1\r\n..dot\r\nlast\r\n', 33],
    ['x\r\n\r\nend\r', 'x\r\n\r\nend\r\n', 10],
    // Stuffing is not counted: ".." on the wire is one "." of the message.
    ['.\r\n..\r\n.x\r\n', '..\r\n...\r\n..x\r\n', 11],
    ['.', '..\r\n', 3],
    // A bare CR inside a line is content.
    ['a\rb\r\n', 'a\rb\r\n', 5],
    ['a\r\r\n', 'a\r\r\n', 4],
    ['\n', '\r\n', 2],
  ];
  for (const [raw, wire, size] of cases) {
    it(JSON.stringify(raw), () => {
      assert.equal(enc(raw), wire);
      assert.equal(octetSize(Buffer.from(raw)), size);
      assert.equal(Buffer.byteLength(unstuff(wire), 'latin1'), size);
    });
  }

  it('passes a CRLF message on as slices of itself, without copying', () => {
    const raw = Buffer.from(`From: a@b\r\nSubject: x\r\n\r\n${'line of text\r\n.dot\r\n'.repeat(1000)}`);
    for (const crlf of [false, true]) {
      const pieces = [...stuffedPieces(raw, { crlf })];
      for (const p of pieces) assert.ok(p.buffer === raw.buffer || p.toString() === '.', 'a piece is a slice or a stuffed dot');
      assert.equal(Buffer.concat(pieces).toString(), raw.toString().replace(/\n\./g, '\n..'));
    }
    assert.equal(octetSize(raw), raw.length);
  });

  it('agrees with itself on random messages, on both paths', () => {
    const alphabet = Buffer.from('ab.\r\n\n\r.');
    let crlfSeen = 0;
    for (let round = 0; round < 2000; round++) {
      const n = randomBytes(1)[0];
      const raw = Buffer.from([...randomBytes(n)].map((b) => alphabet[b % alphabet.length]));
      const whole = enc(raw);
      if (raw.length) assert.ok(whole.endsWith('\r\n'));
      // Every line end is CRLF, and no line starts with a single "." (it could end the response).
      assert.ok(!/[^\r]\n|^\n/.test(whole));
      for (const line of whole.split('\r\n')) assert.ok(!line.startsWith('.') || line.startsWith('..'));
      assert.equal(Buffer.byteLength(unstuff(whole), 'latin1'), octetSize(raw));
      // The fast path applies exactly when the message is in CRLF form already, and agrees.
      const crlfForm = Buffer.from(raw.toString('latin1').replace(/\r*\n/g, '\r\n').replace(/\r*$/, '') + (raw.length ? '\r\n' : ''), 'latin1');
      if (octetSize(crlfForm) === crlfForm.length) {
        crlfSeen++;
        assert.equal(enc(crlfForm, { crlf: true }), enc(crlfForm));
      }
    }
    assert.ok(crlfSeen > 1000);
  });
});

describe('TOP (RFC 1939 7)', () => {
  const msg = 'From: a\r\nSubject: b\r\n\r\none\r\n.two\r\nthree\r\n';
  it('sends the header and the blank line for 0 lines', () => {
    assert.equal(enc(msg, { bodyLines: 0 }), 'From: a\r\nSubject: b\r\n\r\n');
  });
  it('sends n body lines, stuffed', () => {
    assert.equal(enc(msg, { bodyLines: 2 }), 'From: a\r\nSubject: b\r\n\r\none\r\n..two\r\n');
  });
  it('sends the whole message when n is larger than the body', () => {
    assert.equal(enc(msg, { bodyLines: 99 }), enc(msg));
  });
  it('finds the blank line after bare LF headers', () => {
    assert.equal(enc('A: 1\nB: 2\n\nbody\nmore', { bodyLines: 1 }), 'A: 1\r\nB: 2\r\n\r\nbody\r\n');
  });
  it('sends a message without a body whole', () => {
    assert.equal(enc('A: 1\r\nB: 2', { bodyLines: 0 }), 'A: 1\r\nB: 2\r\n');
  });
});
