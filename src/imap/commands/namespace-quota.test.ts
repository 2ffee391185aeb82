// NAMESPACE and QUOTA (RFC 9208).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loggedIn, ok, startImapServer, type ImapTestServer } from '../../../test/imap/support.ts';

describe('NAMESPACE and QUOTA', () => {
  let s: ImapTestServer;
  before(async () => {
    s = await startImapServer();
    await s.deliver(`Subject: x\r\n\r\n${'y'.repeat(3000)}`);
  });
  after(() => s.close());

  test('one personal namespace', async () => {
    const c = await loggedIn(s);
    assert.deepEqual((await ok(c, 'NAMESPACE')).untagged, ['* NAMESPACE (("" "/")) NIL NIL']);
    c.close();
  });

  test('no quota: no quota root; with a quota: STORAGE in KiB', async () => {
    const c = await loggedIn(s);
    assert.deepEqual((await ok(c, 'GETQUOTAROOT INBOX')).untagged, ['* QUOTAROOT INBOX']);
    assert.match((await c.command('GETQUOTA ""')).tagged, /NO \[NONEXISTENT\]/);
    await s.context.store.accounts.setQuota(s.user, 10 * 1024 * 1024);
    assert.deepEqual((await ok(c, 'GETQUOTAROOT INBOX')).untagged, ['* QUOTAROOT INBOX ""', '* QUOTA "" (STORAGE 3 10240)']);
    assert.deepEqual((await ok(c, 'GETQUOTA ""')).untagged, ['* QUOTA "" (STORAGE 3 10240)']);
    assert.match((await c.command('SETQUOTA "" (STORAGE 1)')).tagged, /NO \[NOPERM\]/);
    assert.match((await c.command('GETQUOTAROOT Nowhere')).tagged, /NO \[NONEXISTENT\]/);
    c.close();
  });
});
