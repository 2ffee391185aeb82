import assert from 'node:assert/strict';
import { test } from 'node:test';
import { passwordHash, storeWithAccount } from '../../test/support/temp-store.ts';
import { isStoreError } from './errors.ts';

test('recipient resolution: accounts, aliases, plus-addressing, catch-all, externals, loops', async () => {
  const t = await storeWithAccount('user@example.test');
  try {
    const s = t.store.aliases;
    const bob = await t.store.accounts.create({ address: 'bob@example.test', passwordHash: await passwordHash('password1') });
    const u = t.account.id;
    assert.deepEqual(s.resolve('user@example.test'), { accounts: [u], external: [] });
    assert.deepEqual(s.resolve('USER@EXAMPLE.TEST'), { accounts: [u], external: [] });
    assert.deepEqual(s.resolve('user+lists@example.test'), { accounts: [u], external: [] });
    assert.equal(s.resolve('nobody@example.test'), null);
    assert.equal(s.resolve('user@elsewhere.test'), null);
    assert.equal(s.resolve('not an address'), null);

    await s.set('team@example.test', ['user@example.test', 'bob@example.test', 'carol@remote.test']);
    assert.deepEqual(s.resolve('team@example.test'), { accounts: [u, bob.id], external: ['carol@remote.test'] });
    assert.deepEqual(s.resolve('team+x@example.test'), { accounts: [u, bob.id], external: ['carol@remote.test'] });

    await s.set('loop1@example.test', ['loop2@example.test']);
    await s.set('loop2@example.test', ['loop1@example.test', 'bob@example.test']);
    assert.deepEqual(s.resolve('loop1@example.test'), { accounts: [bob.id], external: [] });
    await s.set('dead@example.test', ['ghost@example.test']);
    assert.equal(s.resolve('dead@example.test'), null);

    await s.set('@example.test', ['bob@example.test']);
    assert.deepEqual(s.resolve('anything@example.test'), { accounts: [bob.id], external: [] });
    assert.deepEqual(s.resolve('user@example.test'), { accounts: [u], external: [] });

    assert.deepEqual(s.ownAddresses(u).sort(), ['team@example.test', 'user@example.test']);
    assert.deepEqual(s.ownAddresses(bob.id).sort(), ['bob@example.test', 'loop1@example.test', 'loop2@example.test', 'team@example.test']);
    await assert.rejects(s.set('user@example.test', ['bob@example.test']), (e) => isStoreError(e, 'exists'));
    await s.remove('@example.test');
    assert.equal(s.resolve('anything@example.test'), null);
  } finally {
    await t.close();
  }
});
