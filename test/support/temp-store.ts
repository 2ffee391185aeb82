// A store in a fresh temporary folder for one test; closing it checks the store's invariants
// (mox's store.checkConsistency pattern) and removes the folder.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StoreContext } from '../../src/store/context.ts';
import { Store } from '../../src/store/index.ts';
import { hashNewPassword } from '../../src/auth/password.ts';

export function tempDir(prefix = 'homepost-test-'): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export interface TempStore {
  store: Store;
  dir: string;
  close(): Promise<void>;
}

export async function openTempStore(): Promise<TempStore> {
  const dir = tempDir();
  const store = await Store.open(dir);
  return {
    store,
    dir,
    async close() {
      try {
        assert.deepEqual(store.checkConsistency(), []);
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// The stored form of a password, as the CLI makes it (src/auth/password.ts): what
// store.accounts.create takes.
export function passwordHash(password: string): Promise<string> {
  return hashNewPassword(password);
}

// A store with domain example.test and one account, the common starting point.
export async function storeWithAccount(address = 'user@example.test', password = 'correct horse 1') {
  const t = await openTempStore();
  await t.store.domains.add('example.test');
  const account = await t.store.accounts.create({ address, passwordHash: await passwordHash(password) });
  return { ...t, account };
}

// A small RFC 5322 message; `n` makes each one distinct.
export function message(n: number | string = 1, extra = ''): Buffer {
  return Buffer.from(
    `From: Alice <alice@example.org>\r\nTo: user@example.test\r\nSubject: test ${n}\r\n` +
      `Date: Thu, 26 Nov 2026 07:00:00 +0000\r\nMessage-ID: <${n}@example.org>\r\n${extra}\r\nBody of message ${n}.\r\n`,
  );
}

// The store's private context, for tests that damage or inspect LMDB on purpose (a record made
// older, a reference count put wrong, the file reserve): nothing else reaches past the store's API.
export function storeInternals(store: Store): StoreContext {
  return (store as unknown as { ctx: StoreContext }).ctx;
}
