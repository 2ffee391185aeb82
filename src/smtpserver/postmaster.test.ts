// The postmaster rules (RFC 5321 4.5.1, 4.1.1.3) over a real store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openTempStore } from '../../test/support/temp-store.ts';
import { POSTMASTER_SETTING, postmasterAccount, postmasterMailbox, resolveRecipient } from './postmaster.ts';
import { hashNewPassword } from '../auth/password.ts';

const HOST = 'Mail.Example.TEST';

test('postmaster: no account at all resolves nowhere; then the first account, then the chosen one', async () => {
  const t = await openTempStore();
  try {
    const { accounts, domains, settings } = t.store;
    await domains.add('example.test');
    assert.equal(postmasterAccount(t.store), null);
    assert.equal(resolveRecipient(t.store, HOST, 'postmaster@example.test'), null);
    const alice = await accounts.create({ address: 'alice@example.test', passwordHash: await hashNewPassword('alice password') });
    const bob = await accounts.create({ address: 'bob@example.test', passwordHash: await hashNewPassword('bob password') });
    assert.deepEqual(postmasterAccount(t.store), { id: alice.id, address: alice.address });
    await settings.set(POSTMASTER_SETTING, 'bob@example.test');
    assert.deepEqual(resolveRecipient(t.store, HOST, 'postmaster@example.test'), { accounts: [bob.id], external: [] });
    // The chosen account deleted: the first account again.
    await accounts.remove('bob@example.test');
    assert.deepEqual(resolveRecipient(t.store, HOST, 'postmaster@example.test'), { accounts: [alice.id], external: [] });
  } finally {
    await t.close();
  }
});

test('postmaster: every local domain and the host name, any case; an own account or alias wins, a catch-all does not', async () => {
  const t = await openTempStore();
  try {
    const { accounts, aliases, domains } = t.store;
    await domains.add('example.test');
    await domains.add('example.org');
    await domains.add('example.net');
    const alice = await accounts.create({ address: 'alice@example.test', passwordHash: await hashNewPassword('alice password') });
    const carol = await accounts.create({ address: 'carol@example.org', passwordHash: await hashNewPassword('carol password') });
    const dave = await accounts.create({ address: 'postmaster@example.net', passwordHash: await hashNewPassword('dave password') });
    await aliases.set('postmaster@example.org', ['carol@example.org']);
    await aliases.set('@example.test', ['carol@example.org']);
    const to = (address: string) => resolveRecipient(t.store, HOST, address)?.accounts ?? null;
    assert.deepEqual(to('postmaster@example.test'), [alice.id], 'the catch-all does not take it');
    assert.deepEqual(to('PostMaster@EXAMPLE.test'), [alice.id]);
    assert.deepEqual(to('postmaster@mail.example.test'), [alice.id], 'the host name, not a local domain');
    assert.deepEqual(to('postmaster@example.org'), [carol.id], 'its alias');
    assert.deepEqual(to('postmaster@example.net'), [dave.id], 'its account');
    assert.equal(to('postmaster@elsewhere.example'), null, 'not ours');
    assert.deepEqual(to('someone@example.test'), [carol.id], 'everything else as the store resolves it');
    assert.equal(to('someone@mail.example.test'), null, 'only postmaster at the host name');
  } finally {
    await t.close();
  }
});

test('postmaster: <Postmaster> is postmaster at the local domain of the host name, else at the host name', async () => {
  const t = await openTempStore();
  try {
    assert.equal(postmasterMailbox(t.store, HOST)?.address, 'postmaster@mail.example.test');
    assert.equal(postmasterMailbox(t.store, 'raspberrypi'), null, 'no domain name at all');
    await t.store.domains.add('example.org');
    assert.equal(postmasterMailbox(t.store, HOST)?.address, 'postmaster@mail.example.test');
    assert.equal(postmasterMailbox(t.store, 'raspberrypi')?.address, 'postmaster@example.org', 'a host name that is no domain name');
    await t.store.domains.add('example.test');
    assert.equal(postmasterMailbox(t.store, HOST)?.address, 'postmaster@example.test');
  } finally {
    await t.close();
  }
});
