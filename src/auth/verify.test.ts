import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { storeWithAccount } from '../../test/support/temp-store.ts';
import { isStoreError } from '../store/errors.ts';
import { hashNewPassword, requireNewSecret } from './password.ts';
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
  assert.match(await hashNewPassword('password1'), /^\$argon2id\$v=19\$m=7168,t=5,p=1\$/);
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
