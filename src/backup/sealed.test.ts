// The sealed stream: what goes in comes out, in pieces of any size, and any change to the file (a
// wrong passphrase, a flipped byte, chunks reordered, dropped or cut off) fails before the bad
// bytes are given out.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { isSealed, seal, SEALED_MAGIC, SealedError, unseal } from './sealed.ts';

const CHUNK = 1024 * 1024 + 16; // a record: a chunk and its tag

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of source) out.push(c);
  return Buffer.concat(out);
}

async function* pieces(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

const sealed = async (plain: Buffer, passphrase = 'correct horse battery') => collect(seal(pieces(plain, 100_000), passphrase));

test('round trip: empty, short, exactly one chunk, several chunks; read back in odd-sized pieces', async () => {
  for (const size of [0, 1, 1024 * 1024, 2 * 1024 * 1024 + 5]) {
    const plain = randomBytes(size);
    const file = await sealed(plain);
    assert.ok(isSealed(file) && file.toString('utf8', 0, SEALED_MAGIC.length) === SEALED_MAGIC);
    // the passphrase and the plaintext are nowhere in the file
    assert.ok(!file.includes(Buffer.from('correct horse battery')));
    if (size >= 64) assert.ok(!file.includes(plain.subarray(0, 64)));
    for (const piece of [1, 7_777, 1 << 20]) {
      if (size > 100_000 && piece === 1) continue;
      assert.ok((await collect(unseal(pieces(file, piece), 'correct horse battery'))).equals(plain), `size ${size} piece ${piece}`);
    }
  }
});

test('a wrong passphrase, a changed byte, reordered, dropped or cut chunks are refused', async () => {
  const plain = randomBytes(3 * 1024 * 1024 + 100);
  const file = await sealed(plain);
  const headerEnd = file.indexOf(0x0a, SEALED_MAGIC.length) + 1;
  const record = (i: number) => file.subarray(headerEnd + i * CHUNK, headerEnd + (i + 1) * CHUNK);
  const header = file.subarray(0, headerEnd);
  const reason = async (bytes: Buffer, passphrase = 'correct horse battery') => {
    try {
      await collect(unseal(pieces(bytes, 65_536), passphrase));
      return 'accepted';
    } catch (e) {
      assert.ok(e instanceof SealedError, String(e));
      return e.reason;
    }
  };
  assert.equal(await reason(file, 'correct horse batterY'), 'passphrase');
  const flipped = Buffer.from(file);
  flipped[headerEnd + CHUNK + 500]! ^= 1;
  assert.equal(await reason(flipped), 'damaged');
  // the header's parameters are authenticated: a changed salt fails as a wrong passphrase would
  const salted = Buffer.from(
    file.toString('latin1').replace(/"salt":"(.)/, (_, c: string) => `"salt":"${c === 'A' ? 'B' : 'A'}`),
    'latin1',
  );
  assert.equal(await reason(salted), 'passphrase');
  assert.equal(await reason(Buffer.concat([header, record(1), record(0), file.subarray(headerEnd + 2 * CHUNK)])), 'passphrase');
  assert.equal(await reason(Buffer.concat([header, record(0), record(2), file.subarray(headerEnd + 3 * CHUNK)])), 'damaged');
  // cut at a chunk boundary, and in the middle of the last chunk
  assert.equal(await reason(file.subarray(0, headerEnd + 3 * CHUNK)), 'damaged');
  assert.equal(await reason(file.subarray(0, file.length - 10)), 'damaged');
  assert.equal(await reason(Buffer.concat([file, Buffer.from('x')])), 'damaged');
  assert.equal(await reason(Buffer.from('not sealed at all\n')), 'format');
  assert.equal(await reason(file), 'accepted');
});
