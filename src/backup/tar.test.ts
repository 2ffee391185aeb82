// The backup's tar: GNU tar lists and unpacks what tarHeader() writes, and TarReader reads what
// GNU tar writes, in pieces of any size; a damaged header or a cut archive is an error.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { TAR_END, TarError, tarHeader, tarPadding, TarReader } from './tar.ts';

const files: [string, Buffer][] = [
  ['manifest.json', Buffer.from('{"a":1}\n')],
  ['empty', Buffer.alloc(0)],
  ['tls/cert.pem', Buffer.alloc(512, 0x41)],
  ['store.mdb', Buffer.from(Array.from({ length: 70_001 }, (_, i) => i % 251))],
];

const archive = () =>
  Buffer.concat([...files.flatMap(([name, data]) => [tarHeader(name, data.length, 0o600, Date.UTC(2026, 11, 6)), data, tarPadding(data.length)]), TAR_END]);

function read(bytes: Buffer, piece: number): [string, Buffer][] {
  const out: [string, Buffer[]][] = [];
  let done = 0;
  const r = new TarReader({ entry: (name) => out.push([name, []]), data: (c) => out.at(-1)![1].push(Buffer.from(c)), done: () => done++ });
  for (let at = 0; at < bytes.length; at += piece) r.push(bytes.subarray(at, at + piece));
  r.finish();
  assert.equal(done, out.length);
  return out.map(([n, parts]) => [n, Buffer.concat(parts)]);
}

test('GNU tar reads what homepost writes, and homepost reads what GNU tar writes', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'homepost-tar-'));
  try {
    const file = path.join(dir, 'a.tar');
    writeFileSync(file, archive());
    assert.deepEqual(
      execFileSync('tar', ['-tf', file], { encoding: 'utf8' }).trim().split('\n'),
      files.map(([n]) => n),
    );
    const out = path.join(dir, 'out');
    mkdirSync(out);
    execFileSync('tar', ['-xf', file, '-C', out]);
    for (const [name, data] of files) assert.ok(readFileSync(path.join(out, name)).equals(data), name);
    const theirs = path.join(dir, 'gnu.tar');
    execFileSync('tar', ['--format=ustar', '-cf', theirs, '-C', out, ...files.map(([n]) => n)]);
    for (const piece of [1, 511, 512, 4096, 1 << 20]) assert.deepEqual(read(readFileSync(theirs), piece), files, `piece ${piece}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a changed header, a cut archive and a folder entry are errors', () => {
  const bytes = archive();
  const bad = Buffer.from(bytes);
  bad[3]! ^= 1; // the first name: its checksum no longer matches
  assert.throws(() => read(bad, 4096), TarError);
  assert.throws(() => read(bytes.subarray(0, bytes.length - 1024), 4096), /cut short/);
  assert.throws(() => read(bytes.subarray(0, 3000), 4096), /cut short/);
  const dir = tarHeader('x', 0, 0o700, 0);
  dir[156] = 0x35; // '5': a folder
  let sum = 0;
  dir.write('        ', 148, 'ascii');
  for (const b of dir) sum += b;
  dir.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  assert.throws(() => read(Buffer.concat([dir, TAR_END]), 512), /not a regular file/);
});
