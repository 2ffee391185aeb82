// mbox entries read back as written (flags, dates, bodies with "From " lines, the folder data entry
// skipped), in pieces of any size; files from elsewhere: mboxrd without Content-Length, CRLF.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type MboxMessage, mboxEntry, mboxFolderData, readMbox } from './mbox.ts';

async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

async function read(bytes: Buffer, size = 7): Promise<MboxMessage[]> {
  const out: MboxMessage[] = [];
  for await (const m of readMbox(pieces(bytes, size))) out.push(m);
  return out;
}

const messages: MboxMessage[] = [
  {
    raw: Buffer.from('From: a@x\nSubject: one\n\nFrom the start\n\nFrom nobody Mon Jan  5 10:00:00 2026\n>From quoted\n'),
    flags: ['\\Seen', '\\Flagged', '$Label1'],
    internalDate: Date.UTC(2026, 0, 5, 10),
    uid: 4,
  },
  { raw: Buffer.from('Subject: two\nStatus: RO\nX-Keywords: stale\n\n'), flags: [], internalDate: Date.UTC(2025, 11, 31, 23, 59, 59), uid: 9 },
  { raw: Buffer.from('Subject: three\n\nlast line without end'), flags: ['\\Answered', '\\Draft', '\\Deleted'], internalDate: Date.UTC(2024, 1, 29), uid: 10 },
];

test('written entries read back: flags, dates, UIDs, bodies with "From " lines; old metadata replaced', async () => {
  const file = Buffer.concat([mboxFolderData(77, 11, ['$Label1'], Date.UTC(2026, 0, 1)), ...messages.map((m) => mboxEntry(m))]);
  for (const size of [1, 7, 4096]) {
    const back = await read(file, size);
    assert.deepEqual(
      back.map((m) => [m.flags.sort(), m.internalDate, m.uid]),
      messages.map((m) => [[...m.flags].sort(), m.internalDate, m.uid]),
    );
    assert.equal(back[0]!.raw.toString(), messages[0]!.raw.toString());
    // the stale Status/X-Keywords of the second message are gone; its flags are what was written
    assert.equal(back[1]!.raw.toString(), 'Subject: two\n\n');
    assert.equal(back[2]!.raw.toString(), 'Subject: three\n\nlast line without end\n');
  }
});

test('a file from elsewhere: mboxrd quoting without Content-Length, CRLF line ends, X-Status letters', async () => {
  const text = [
    'From someone@example.org Tue Mar  3 09:08:07 2026',
    'Subject: a',
    'X-Status: FA',
    '',
    '>From quoted once',
    '>>From quoted twice',
    'From within a line is fine',
    '',
    'From other@example.org Wed Mar  4 01:02:03 2026',
    'Subject: b',
    '',
    'body',
    '',
  ].join('\r\n');
  const back = await read(Buffer.from(text), 5);
  assert.equal(back.length, 2);
  assert.equal(back[0]!.raw.toString(), 'Subject: a\n\nFrom quoted once\n>From quoted twice\nFrom within a line is fine\n');
  assert.deepEqual(back[0]!.flags.sort(), ['\\Answered', '\\Flagged']);
  assert.equal(back[0]!.internalDate, Date.UTC(2026, 2, 3, 9, 8, 7));
  assert.equal(back[1]!.raw.toString(), 'Subject: b\n\nbody\n');
  await assert.rejects(read(Buffer.from('Subject: not mbox\n\nx\n')), /not an mbox file/);
});
