import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openTempStore, passwordHash } from '../../test/support/temp-store.ts';
import { isStoreError } from './errors.ts';

test('domains: add, list, refuse duplicates and bad names, remove only when unused', async () => {
  const t = await openTempStore();
  try {
    await t.store.domains.add('Example.TEST.');
    assert.deepEqual(
      t.store.domains.list().map((d) => d.name),
      ['example.test'],
    );
    assert.ok(t.store.domains.isLocal('EXAMPLE.test'));
    await assert.rejects(t.store.domains.add('example.test'), (e) => isStoreError(e, 'exists'));
    await assert.rejects(t.store.domains.add('no_underscores.test'), (e) => isStoreError(e, 'invalid'));
    await assert.rejects(t.store.domains.add('[127.0.0.1]'), (e) => isStoreError(e, 'invalid'));
    await t.store.accounts.create({ address: 'a@example.test', passwordHash: await passwordHash('password1') });
    await assert.rejects(t.store.domains.remove('example.test'), (e) => isStoreError(e, 'forbidden'));
    await t.store.accounts.remove('a@example.test');
    await t.store.domains.remove('example.test');
    assert.equal(t.store.domains.isLocal('example.test'), false);
  } finally {
    await t.close();
  }
});
