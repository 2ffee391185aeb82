import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import { storeWithAccount } from '../../test/support/temp-store.ts';
import { isStoreError } from '../store/errors.ts';
import { DUMMY_HASH, hashNewPassword, lanesFor, requireNewSecret, verifyPassword } from './password.ts';
import { checkPassword, verifyApop } from './verify.ts';

test('password logins: the stored hash checked, a changed password and a disabled account refused, no write', async () => {
  const t = await storeWithAccount('User@Example.test', 'correct horse 1');
  try {
    const txn = t.store.lastTxnId();
    assert.equal((await checkPassword(t.store.accounts, 'USER@example.test', 'correct horse 1'))?.id, t.account.id);
    assert.equal((await checkPassword(t.store.accounts, 'user@example.test', 'correct horse 1'))?.id, t.account.id, 'again, from the cache');
    assert.equal(await checkPassword(t.store.accounts, 'user@example.test', 'correct horse 2'), null);
    assert.equal(await checkPassword(t.store.accounts, 'nobody@example.test', 'correct horse 1'), null);
    assert.equal(t.store.lastTxnId(), txn, 'a login does not write');
    await t.store.accounts.setPasswordHash('user@example.test', await hashNewPassword('new password'));
    assert.equal(await checkPassword(t.store.accounts, 'user@example.test', 'correct horse 1'), null, 'the cached success is gone with its hash');
    assert.ok(await checkPassword(t.store.accounts, 'user@example.test', 'new password'));
    await t.store.accounts.setDisabled('user@example.test', true);
    assert.equal(await checkPassword(t.store.accounts, 'user@example.test', 'new password'), null);
  } finally {
    await t.close();
  }
});

test('new passwords and secrets: 8 to 1024 characters, hashed with argon2id', async () => {
  await assert.rejects(hashNewPassword('short'), (e) => isStoreError(e, 'invalid'));
  assert.throws(
    () => requireNewSecret('x'.repeat(1025)),
    (e) => isStoreError(e, 'invalid'),
  );
  assert.equal(requireNewSecret('eight ch'), 'eight ch');
  const lanes = lanesFor(availableParallelism());
  assert.match(await hashNewPassword('password1'), new RegExp(`^\\$argon2id\\$v=19\\$m=7168,t=5,p=${lanes}\\$`));
});

test('argon2id lanes: one per core up to 4; hashes of any lane count verify', async () => {
  assert.deepEqual([1, 2, 3, 4, 8].map(lanesFor), [1, 2, 2, 4, 4]);
  // Made here, and checked with Dovecot 2.3's `doveadm pw -t` (libsodium's argon2id).
  const salt = 'AQEBAQEBAQEBAQEBAQEBAQ';
  const oneLane = `$argon2id$v=19$m=7168,t=5,p=1$${salt}$lJt4qIN35r8AmPFI1W+mS3s8Bm4qFYivU7KRwe13Bz4`;
  const twoLanes = `$argon2id$v=19$m=7168,t=5,p=2$${salt}$Q5bf1c8wJZ/ctaa3KOUQXB7D5JXLKOfBAMAL+meLU9s`;
  assert.equal(await verifyPassword('password123', oneLane), true);
  assert.equal(await verifyPassword('password123', twoLanes), true);
  assert.equal(await verifyPassword('password124', twoLanes), false);
  // The same key under another lane count is not the same hash.
  assert.equal(await verifyPassword('password123', twoLanes.replace('p=2', 'p=1')), false);
  assert.match(DUMMY_HASH, new RegExp(`,p=${lanesFor(availableParallelism())}\\$`));
});

test('APOP (RFC 1939 7): MD5 of timestamp and POP secret; none without a secret or when disabled', async () => {
  const t = await storeWithAccount();
  try {
    const stamp = '<1896.697170952@example.test>';
    const digest = (secret: string) =>
      createHash('md5')
        .update(stamp + secret)
        .digest('hex');
    assert.equal(verifyApop(t.store.accounts, 'user@example.test', stamp, digest('')), null, 'no secret, no APOP');
    await t.store.accounts.setPopSecret('user@example.test', 'apop secret');
    assert.equal(verifyApop(t.store.accounts, 'USER@example.test', stamp, digest('apop secret'))?.id, t.account.id);
    assert.equal(verifyApop(t.store.accounts, 'user@example.test', stamp, digest('apop secreT')), null);
    assert.equal(verifyApop(t.store.accounts, 'user@example.test', stamp, digest('correct horse 1')), null, 'not the password');
    assert.equal(verifyApop(t.store.accounts, 'nobody@example.test', stamp, digest('apop secret')), null);
    assert.equal(verifyApop(t.store.accounts, 'user@example.test', stamp, 'abc'), null, 'a short digest');
    await t.store.accounts.setDisabled('user@example.test', true);
    assert.equal(verifyApop(t.store.accounts, 'user@example.test', stamp, digest('apop secret')), null);
  } finally {
    await t.close();
  }
});
