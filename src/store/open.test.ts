import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { open } from 'lmdb';
import { storeWithAccount, tempDir } from '../../test/support/temp-store.ts';
import { MAP_SIZE, openEnv, STORE_FILE } from './open.ts';

// The mappings of the store's file in this process, from /proc/self/maps: [start, end) each.
function mappingsOf(file: string): number[][] {
  return readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((l) => l.endsWith(` ${file}`))
    .map((l) =>
      l
        .split(' ')[0]!
        .split('-')
        .map((h) => Number.parseInt(h, 16)),
    );
}

test('store.mdb is mapped once, at MAP_SIZE, however much the file grows', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
    const before = statSync(t.store.file).size;
    // Incompressible bodies, so the file grows by about what is written: past the 128 KB map lmdb-js
    // starts with and through several of its doublings.
    for (let i = 0; i < 40; i++) {
      const raw = Buffer.from(`Subject: ${i}\r\n\r\n${randomBytes(384 * 1024).toString('base64')}`);
      await t.store.messages.append({ mailboxId: inbox, raw });
    }
    assert.ok(statSync(t.store.file).size > before + 8 * 1024 * 1024, 'the file grew');
    const maps = mappingsOf(t.store.file);
    assert.equal(maps.length, 1, JSON.stringify(maps));
    assert.equal(maps[0]![1]! - maps[0]![0]!, MAP_SIZE);
  } finally {
    await t.close();
  }
});

test('bodies: values from 100 bytes are stored compressed, and read the same by a store opened with lmdb-js defaults', async () => {
  const dir = tempDir();
  const file = path.join(dir, STORE_FILE);
  // A parsed form's size: under lmdb-js's default threshold (1,000 bytes), over the bodies' own.
  const meta = { refs: 1, size: 4096, parsed: { type: 'text', subtype: 'plain', params: { charset: 'utf-8' }, lines: Array(40).fill('text') } };
  const key = Buffer.from([1]);
  const oldKey = Buffer.from([2]);
  try {
    // As a release before this threshold wrote it (and as one rolled back to reads the new).
    const previous = open({ path: file, compression: true, pageSize: 4096 });
    await previous.openDB({ name: 'bodies', keyEncoding: 'binary' }).put(oldKey, meta);
    await previous.close();
    const now = openEnv(dir);
    await now.dbs.bodies.put(key, meta as never);
    assert.deepEqual(now.dbs.bodies.get(oldKey), meta);
    await now.env.close();
    const plain = open({ path: file, compression: false, pageSize: 4096 });
    const stored = (k: Buffer) => plain.openDB({ name: 'bodies', keyEncoding: 'binary', encoding: 'binary' }).getBinary(k)!;
    assert.ok(stored(key).length < stored(oldKey).length, `compressed: ${stored(key).length} bytes against ${stored(oldKey).length}`);
    await plain.close();
    const again = open({ path: file, compression: true, pageSize: 4096 });
    assert.deepEqual(again.openDB({ name: 'bodies', keyEncoding: 'binary' }).get(key), meta);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
