// The worker's preparation of a received message, called directly (it is a plain function; the
// worker thread only carries it): header bounds, submission fields, forged results, trace fields,
// the two copies the store takes, and the originator addresses the DATA rules read.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { DEFAULT_HEADER_LIMITS } from '../mime/header-limits.ts';
import { parseMessage } from '../mime/parse.ts';
import { MemoryBudget } from '../memory/budget.ts';
import { MessageBuffer } from '../memory/message-buffer.ts';
import { tableResolver } from '../../test/smtp/harness.ts';
import { prepareMessage, type PrepareInput } from './incoming.ts';

const date = new Date(Date.UTC(2026, 11, 5, 12, 0, 0));
const received = {
  helo: 'client.example',
  remoteAddress: '192.0.2.1',
  hostname: 'mail.example.test',
  protocol: 'ESMTP',
  tls: null,
  id: 's.1',
  recipient: null,
  date,
};

function input(text: string | Buffer, o: Partial<PrepareInput> = {}): { buffer: MessageBuffer; input: PrepareInput } {
  const buffer = new MessageBuffer(new MemoryBudget(), 25 * 1024 * 1024, { normalize: true });
  buffer.write(Buffer.isBuffer(text) ? text : Buffer.from(text));
  return {
    buffer,
    input: {
      buffer: buffer.lend(),
      start: MessageBuffer.HEADROOM,
      end: MessageBuffer.HEADROOM + buffer.size,
      limits: DEFAULT_HEADER_LIMITS,
      submission: null,
      inbound: null,
      received: null,
      returnPath: null,
      transit: true,
      ...o,
    },
  };
}

const env = { dns: tableResolver({}) };
const text = (b: MessageBuffer, copy: { start: number; end: number }) => b.view(copy.start, copy.end).toString();

test('a copy for the queue and one with Return-Path for mailboxes, each hashed and parsed as stored', async () => {
  const { buffer, input: i } = input('From: a@example.org\r\nSubject: s\r\n\r\nbody\r\n', { received, returnPath: 'a@example.org' });
  const out = await prepareMessage(i, env);
  assert.ok(out.ok);
  const transit = text(buffer, out.transit!);
  assert.match(
    transit,
    /^Received: from client\.example \(\[192\.0\.2\.1\]\)\r\n\tby mail\.example\.test \(homepost\)\r\n\twith ESMTP id s\.1; Sat, 05 Dec 2026 12:00:00 \+0000\r\nFrom: a@example\.org\r\n/,
  );
  assert.equal(text(buffer, out.final!), `Return-Path: <a@example.org>\r\n${transit}`);
  for (const copy of [out.final!, out.transit!]) {
    const raw = buffer.view(copy.start, copy.end);
    assert.deepEqual(Buffer.from(copy.hash), createHash('sha256').update(raw).digest());
  }
  // One parse crosses back: the queue's copy is the final one shifted (src/mime/shift.ts).
  assert.deepEqual(out.final!.parsed, parseMessage(Buffer.from(buffer.view(out.final!.start, out.final!.end))));
  assert.equal(out.transit!.parsed, null);
  assert.equal(out.size, 'From: a@example.org\r\nSubject: s\r\n\r\nbody\r\n'.length);
});

test('submission: Date and Message-ID added at the end of the header only when missing (RFC 6409 8)', async () => {
  const sub = { hostname: 'mail.example.test', date: date.getTime() };
  const a = input('From: a@example.test\r\nSubject: s\r\n\r\nbody\r\n', { submission: sub });
  const out = await prepareMessage(a.input, env);
  assert.ok(out.ok);
  assert.match(
    text(a.buffer, out.transit!),
    /^From: a@example.test\r\nSubject: s\r\nDate: Sat, 05 Dec 2026 12:00:00 \+0000\r\nMessage-ID: <[^>@]+@mail\.example\.test>\r\n\r\nbody\r\n$/,
  );
  const full = input('Date: x\r\nMessage-ID: <1@x>\r\n\r\nb', { submission: sub });
  const same = await prepareMessage(full.input, env);
  assert.ok(same.ok && text(full.buffer, same.transit!) === 'Date: x\r\nMessage-ID: <1@x>\r\n\r\nb');
  const headerOnly = input('From: a@example.test', { submission: sub });
  const h = await prepareMessage(headerOnly.input, env);
  assert.ok(h.ok);
  assert.match(text(headerOnly.buffer, h.transit!), /^From: a@example.test\r\nDate: .*\r\nMessage-ID: .*\r\n\r\n$/);
});

test('from the internet: forged Authentication-Results removed, ours added (RFC 8601 5)', async () => {
  const msg = 'Authentication-Results: mail.example.test; spf=pass\r\nAuthentication-Results: other.example; dkim=pass\r\nFrom: a@example.org\r\n\r\nb\r\n';
  const { buffer, input: i } = input(msg, { inbound: { ip: '192.0.2.1', helo: 'client.example', sender: 'a@example.org', authservId: 'mail.example.test' } });
  const out = await prepareMessage(i, env);
  assert.ok(out.ok && out.auth);
  const stored = text(buffer, out.transit!);
  assert.equal(stored.split('mail.example.test; spf=pass').length, 1, 'the forged field is gone');
  assert.match(stored, /Authentication-Results: other\.example; dkim=pass\r\n/);
  assert.match(stored, /^Received-SPF: /);
  assert.equal(out.auth.spf, 'none');
});

test('originators: every From, Sender and Resent-From address, and a hidden second address noticed', async () => {
  const { input: i } = input(
    'From: <alice@example.test> <bob@elsewhere.example>\r\nFrom: carol@example.test\r\nSender: s@example.test\r\nResent-From: r1@example.test, r2@example.test\r\n\r\n',
  );
  const out = await prepareMessage(i, env);
  assert.ok(out.ok);
  assert.deepEqual(out.from, { addresses: ['carol@example.test'], malformed: true });
  assert.deepEqual(out.sender, { addresses: ['s@example.test'], malformed: false });
  assert.deepEqual(out.resentFrom, { addresses: ['r1@example.test', 'r2@example.test'], malformed: false });
});

test('header bounds: bytes and lines, checked before anything reads the header', async () => {
  const fields = await prepareMessage(input(`${`X-A: ${'x'.repeat(100)}\r\n`.repeat(2600)}\r\nbody`).input, env);
  assert.ok(!fields.ok && fields.refusal === 'header-too-large');
  const lines = await prepareMessage(input(`Subject: x\r\n${'abc\r\n'.repeat(6000)}\r\nbody`).input, env);
  assert.ok(!lines.ok && lines.refusal === 'too-many-header-lines');
  const noBlank = await prepareMessage(input('x'.repeat(300 * 1024)).input, env);
  assert.ok(!noBlank.ok && noBlank.refusal === 'header-too-large');
  const justUnder = await prepareMessage(input(`Subject: x\r\n${'abc\r\n'.repeat(4000)}\r\n${'body\r\n'.repeat(100_000)}`).input, env);
  assert.ok(justUnder.ok, 'a large body is no header');
});
