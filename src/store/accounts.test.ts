import assert from 'node:assert/strict';
import { test } from 'node:test';
import { passwordHash, storeWithAccount } from '../../test/support/temp-store.ts';
import { isStoreError } from './errors.ts';

test('accounts: created with default mailboxes, the password kept only as its hash', async () => {
  const t = await storeWithAccount('User@Example.test', 'correct horse 1');
  try {
    assert.equal(t.account.address, 'user@example.test');
    const names = t.store.mailboxes.list(t.account.id).map((m) => [m.name, m.specialUse]);
    assert.deepEqual(names.sort(), [
      ['Archive', '\\Archive'],
      ['Drafts', '\\Drafts'],
      ['INBOX', null],
      ['Junk', '\\Junk'],
      ['Sent', '\\Sent'],
      ['Trash', '\\Trash'],
    ]);
    assert.deepEqual(t.store.mailboxes.subscriptions(t.account.id).sort(), ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
    const raw = t.store.accounts.credentials('USER@example.test')!;
    assert.equal(raw.address, 'user@example.test');
    assert.match(raw.passwordHash, /^\$argon2id\$v=19\$m=7168,t=5,p=[124]\$/);
    assert.ok(!raw.passwordHash.includes('correct horse'));
    assert.equal(t.store.accounts.credentials('nobody@example.test'), null);
    assert.equal(t.store.accounts.idOf('USER@example.test'), t.account.id);
    assert.equal(t.store.accounts.addressOf(t.account.id), 'user@example.test');
    assert.equal(t.store.accounts.idOf('nobody@example.test'), null);
    assert.equal(t.store.accounts.idOf('not an address'), null);
    const newHash = await passwordHash('new password');
    await t.store.accounts.setPasswordHash('user@example.test', newHash);
    assert.equal(t.store.accounts.credentials('user@example.test')?.passwordHash, newHash);
    await t.store.accounts.setDisabled('user@example.test', true);
    assert.equal(t.store.accounts.credentials('user@example.test')?.disabled, true);
    await assert.rejects(t.store.accounts.setPasswordHash('user@example.test', 'new password'), (e) => isStoreError(e, 'invalid'), 'a hash, never a password');
    const hash = await passwordHash('password1');
    await assert.rejects(t.store.accounts.create({ address: 'x@other.test', passwordHash: hash }), (e) => isStoreError(e, 'not-found'));
    await assert.rejects(t.store.accounts.create({ address: 'user@example.test', passwordHash: hash }), (e) => isStoreError(e, 'exists'));
  } finally {
    await t.close();
  }
});

test('pop secret is opt-in and separate from the password', async () => {
  const t = await storeWithAccount();
  try {
    assert.equal(t.store.accounts.credentials('user@example.test')?.popSecret, null);
    await t.store.accounts.setPopSecret('user@example.test', 'apop secret');
    assert.equal(t.store.accounts.credentials('user@example.test')?.popSecret, 'apop secret');
    assert.equal(t.store.accounts.get('user@example.test')?.hasPopSecret, true);
    await t.store.accounts.setPopSecret('user@example.test', null);
    assert.equal(t.store.accounts.credentials('user@example.test')?.popSecret, null);
  } finally {
    await t.close();
  }
});

test('deleting an account removes its mailboxes, messages and unreferenced bodies', async () => {
  const t = await storeWithAccount();
  try {
    const bob = await t.store.accounts.create({ address: 'bob@example.test', passwordHash: await passwordHash('password1') });
    const raw = Buffer.from('Subject: shared\r\n\r\nhello\r\n');
    await t.store.messages.deliver({ raw, targets: [{ accountId: t.account.id }, { accountId: bob.id }] });
    const solo = Buffer.from('Subject: solo\r\n\r\nonly bob\r\n');
    await t.store.messages.deliver({ raw: solo, targets: [{ accountId: bob.id }] });
    assert.equal(t.store.bodies.count(), 2);
    await t.store.accounts.remove('bob@example.test');
    assert.equal(t.store.accounts.get('bob@example.test'), null);
    assert.equal(t.store.mailboxes.list(bob.id).length, 0);
    await t.store.bodies.swept();
    assert.equal(t.store.bodies.count(), 1);
  } finally {
    await t.close();
  }
});
