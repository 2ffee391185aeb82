import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openTempStore, storeWithAccount } from '../../test/support/temp-store.ts';
import { isStoreError } from './errors.ts';

test('domains: add, list, refuse duplicates and bad names, remove only when unused', async () => {
  const t = await openTempStore();
  try {
    await t.store.accounts.addDomain('Example.TEST.');
    assert.deepEqual(t.store.accounts.listDomains().map((d) => d.name), ['example.test']);
    assert.ok(t.store.accounts.isLocalDomain('EXAMPLE.test'));
    await assert.rejects(t.store.accounts.addDomain('example.test'), (e) => isStoreError(e, 'exists'));
    await assert.rejects(t.store.accounts.addDomain('no_underscores.test'), (e) => isStoreError(e, 'invalid'));
    await assert.rejects(t.store.accounts.addDomain('[127.0.0.1]'), (e) => isStoreError(e, 'invalid'));
    await t.store.accounts.create({ address: 'a@example.test', password: 'password1' });
    await assert.rejects(t.store.accounts.removeDomain('example.test'), (e) => isStoreError(e, 'forbidden'));
    await t.store.accounts.remove('a@example.test');
    await t.store.accounts.removeDomain('example.test');
    assert.equal(t.store.accounts.isLocalDomain('example.test'), false);
  } finally {
    await t.close();
  }
});

test('accounts: created with default mailboxes, hashed password, authenticate', async () => {
  const t = await storeWithAccount('User@Example.test', 'correct horse 1');
  try {
    assert.equal(t.account.address, 'user@example.test');
    const names = t.store.mailboxes.list(t.account.id).map((m) => [m.name, m.specialUse]);
    assert.deepEqual(names.sort(), [
      ['Archive', '\\Archive'], ['Drafts', '\\Drafts'], ['INBOX', null], ['Junk', '\\Junk'], ['Sent', '\\Sent'], ['Trash', '\\Trash'],
    ]);
    assert.deepEqual(t.store.mailboxes.subscriptions(t.account.id).sort(), ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
    const raw = t.store.ctx.dbs.accounts.get('user@example.test')!;
    assert.match(raw.passwordHash, /^\$argon2id\$v=19\$m=7168,t=5,p=1\$/);
    assert.ok(!raw.passwordHash.includes('correct horse'));
    assert.equal((await t.store.accounts.authenticate('USER@example.test', 'correct horse 1'))?.id, t.account.id);
    assert.equal(await t.store.accounts.authenticate('user@example.test', 'correct horse 2'), null);
    assert.equal(await t.store.accounts.authenticate('nobody@example.test', 'correct horse 1'), null);
    await t.store.accounts.setPassword('user@example.test', 'new password');
    assert.equal(await t.store.accounts.authenticate('user@example.test', 'correct horse 1'), null);
    assert.ok(await t.store.accounts.authenticate('user@example.test', 'new password'));
    await t.store.accounts.setDisabled('user@example.test', true);
    assert.equal(await t.store.accounts.authenticate('user@example.test', 'new password'), null);
    await assert.rejects(t.store.accounts.create({ address: 'x@other.test', password: 'password1' }), (e) => isStoreError(e, 'not-found'));
    await assert.rejects(t.store.accounts.create({ address: 'user@example.test', password: 'password1' }), (e) => isStoreError(e, 'exists'));
    await assert.rejects(t.store.accounts.create({ address: 'short@example.test', password: 'short' }), (e) => isStoreError(e, 'invalid'));
  } finally {
    await t.close();
  }
});

test('pop secret is opt-in and separate from the password', async () => {
  const t = await storeWithAccount();
  try {
    assert.equal(t.store.accounts.popSecret('user@example.test'), null);
    await t.store.accounts.setPopSecret('user@example.test', 'apop secret');
    assert.equal(t.store.accounts.popSecret('user@example.test')?.secret, 'apop secret');
    assert.equal(t.store.accounts.get('user@example.test')?.hasPopSecret, true);
    await t.store.accounts.setPopSecret('user@example.test', null);
    assert.equal(t.store.accounts.popSecret('user@example.test'), null);
  } finally {
    await t.close();
  }
});

test('recipient resolution: accounts, aliases, plus-addressing, catch-all, externals, loops', async () => {
  const t = await storeWithAccount('user@example.test');
  try {
    const s = t.store.accounts;
    const bob = await s.create({ address: 'bob@example.test', password: 'password1' });
    const u = t.account.id;
    assert.deepEqual(s.resolve('user@example.test'), { accounts: [u], external: [] });
    assert.deepEqual(s.resolve('USER@EXAMPLE.TEST'), { accounts: [u], external: [] });
    assert.deepEqual(s.resolve('user+lists@example.test'), { accounts: [u], external: [] });
    assert.equal(s.resolve('nobody@example.test'), null);
    assert.equal(s.resolve('user@elsewhere.test'), null);
    assert.equal(s.resolve('not an address'), null);

    await s.setAlias('team@example.test', ['user@example.test', 'bob@example.test', 'carol@remote.test']);
    assert.deepEqual(s.resolve('team@example.test'), { accounts: [u, bob.id], external: ['carol@remote.test'] });
    assert.deepEqual(s.resolve('team+x@example.test'), { accounts: [u, bob.id], external: ['carol@remote.test'] });

    await s.setAlias('loop1@example.test', ['loop2@example.test']);
    await s.setAlias('loop2@example.test', ['loop1@example.test', 'bob@example.test']);
    assert.deepEqual(s.resolve('loop1@example.test'), { accounts: [bob.id], external: [] });
    await s.setAlias('dead@example.test', ['ghost@example.test']);
    assert.equal(s.resolve('dead@example.test'), null);

    await s.setAlias('@example.test', ['bob@example.test']);
    assert.deepEqual(s.resolve('anything@example.test'), { accounts: [bob.id], external: [] });
    assert.deepEqual(s.resolve('user@example.test'), { accounts: [u], external: [] });

    assert.deepEqual(s.ownAddresses(u).sort(), ['team@example.test', 'user@example.test']);
    assert.deepEqual(s.ownAddresses(bob.id).sort(), ['bob@example.test', 'loop1@example.test', 'loop2@example.test', 'team@example.test']);
    await assert.rejects(s.setAlias('user@example.test', ['bob@example.test']), (e) => isStoreError(e, 'exists'));
    await s.removeAlias('@example.test');
    assert.equal(s.resolve('anything@example.test'), null);
  } finally {
    await t.close();
  }
});

test('deleting an account removes its mailboxes, messages and unreferenced bodies', async () => {
  const t = await storeWithAccount();
  try {
    const bob = await t.store.accounts.create({ address: 'bob@example.test', password: 'password1' });
    const raw = Buffer.from('Subject: shared\r\n\r\nhello\r\n');
    await t.store.messages.deliver({ raw, targets: [{ accountId: t.account.id }, { accountId: bob.id }] });
    const solo = Buffer.from('Subject: solo\r\n\r\nonly bob\r\n');
    await t.store.messages.deliver({ raw: solo, targets: [{ accountId: bob.id }] });
    assert.equal(t.store.bodies.count(), 2);
    await t.store.accounts.remove('bob@example.test');
    assert.equal(t.store.accounts.get('bob@example.test'), null);
    assert.equal(t.store.mailboxes.list(bob.id).length, 0);
    assert.equal(t.store.bodies.count(), 1);
  } finally {
    await t.close();
  }
});
