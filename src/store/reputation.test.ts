import assert from 'node:assert/strict';
import { test } from 'node:test';
import { passwordHash, storeWithAccount } from '../../test/support/temp-store.ts';
import { MAX_CORRESPONDENTS, MAX_DOMAINS } from './reputation.ts';

test('reputation: correspondents are kept per account, the least recent going first past the cap', async () => {
  const { store, close, account } = await storeWithAccount();
  try {
    const other = await store.accounts.create({ address: 'other@example.test', passwordHash: await passwordHash('correct horse 2') });
    await store.reputation.recordSent(account.id, ['bob@example.org', 'bob@example.org', 'carol@example.net'], 1000);
    assert.ok(store.reputation.isCorrespondent(account.id, 'bob@example.org'));
    assert.ok(store.reputation.isCorrespondent(account.id, 'carol@example.net'));
    assert.ok(!store.reputation.isCorrespondent(other.id, 'bob@example.org'));
    // bob written to again later: the newest of all, so he outlives the prune.
    const many = Array.from({ length: MAX_CORRESPONDENTS - 2 }, (_, i) => `n${i}@example.com`);
    await store.reputation.recordSent(account.id, many, 2000);
    await store.reputation.recordSent(account.id, ['bob@example.org'], 3000);
    assert.ok(store.reputation.isCorrespondent(account.id, 'carol@example.net'), 'at the cap nothing goes');
    await store.reputation.recordSent(account.id, ['dave@example.org'], 4000);
    assert.ok(!store.reputation.isCorrespondent(account.id, 'carol@example.net'), 'past the cap the oldest goes');
    assert.ok(store.reputation.isCorrespondent(account.id, 'bob@example.org'));
    assert.ok(store.reputation.isCorrespondent(account.id, 'dave@example.org'));
    assert.equal(many.filter((a) => store.reputation.isCorrespondent(account.id, a)).length, Math.floor(MAX_CORRESPONDENTS * 0.9) - 2);
  } finally {
    await close();
  }
});

test('reputation: a domain history counts ham and spam per account; deleting the account deletes both records', async () => {
  const { store, close, account } = await storeWithAccount();
  try {
    await store.reputation.recordDomain([
      { accountId: account.id, domain: 'example.org', spam: false },
      { accountId: account.id, domain: 'example.org', spam: false },
    ]);
    await store.reputation.recordDomain([{ accountId: account.id, domain: 'example.org', spam: true }], 5000);
    assert.deepEqual(store.reputation.domain(account.id, 'example.org'), { ham: 2, spam: 1, seen: 5000 });
    assert.equal(store.reputation.domain(account.id, 'example.net'), null);
    await store.reputation.recordDomain(
      Array.from({ length: MAX_DOMAINS + 1 }, (_, i) => ({ accountId: account.id, domain: `d${i}.example`, spam: false })),
      6000,
    );
    assert.equal(store.reputation.domain(account.id, 'example.org'), null, 'the least recent domain went past the cap');
    await store.reputation.recordSent(account.id, ['bob@example.org']);
    await store.accounts.remove('user@example.test');
    const again = await store.accounts.create({ address: 'user@example.test', passwordHash: await passwordHash('correct horse 2') });
    assert.ok(!store.reputation.isCorrespondent(account.id, 'bob@example.org'));
    assert.equal(store.reputation.domain(account.id, 'd1.example'), null);
    // Writes for an account deleted meanwhile write nothing.
    await store.reputation.recordSent(account.id, ['bob@example.org']);
    assert.ok(!store.reputation.isCorrespondent(account.id, 'bob@example.org'));
    assert.notEqual(again.id, account.id);
  } finally {
    await close();
  }
});
