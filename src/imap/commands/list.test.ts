// LIST with its extensions, LSUB, and modified UTF-7 names.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loggedIn, ok, startImapServer, type ImapTestServer, type RawClient } from '../../../test/imap/support.ts';
import { listPattern } from './list.ts';

describe('LIST and LSUB', () => {
  let s: ImapTestServer;
  let c: RawClient;
  before(async () => {
    s = await startImapServer();
    const { mailboxes } = s.context.store;
    await mailboxes.create(s.accountId, 'Projects/2026/Q1');
    await mailboxes.create(s.accountId, 'Entwürfe');
    await mailboxes.subscribe(s.accountId, 'Projects/2026/Q1');
    await mailboxes.subscribe(s.accountId, 'Gone');
    c = await loggedIn(s);
  });
  after(async () => {
    c.close();
    await s.close();
  });

  test('patterns: *, % and the empty name', async () => {
    assert.deepEqual((await ok(c, 'LIST "" ""')).untagged, ['* LIST (\\Noselect) "/" ""']);
    assert.deepEqual((await ok(c, 'LIST "" %')).untagged, [
      '* LIST (\\HasNoChildren) "/" INBOX',
      '* LIST (\\HasNoChildren \\Archive) "/" Archive',
      '* LIST (\\HasNoChildren \\Drafts) "/" Drafts',
      '* LIST (\\HasNoChildren) "/" Entw&APw-rfe',
      '* LIST (\\HasNoChildren \\Junk) "/" Junk',
      '* LIST (\\HasChildren) "/" Projects',
      '* LIST (\\HasNoChildren \\Sent) "/" Sent',
      '* LIST (\\HasNoChildren \\Trash) "/" Trash',
    ]);
    assert.deepEqual((await ok(c, 'LIST Projects/ *')).untagged, ['* LIST (\\HasChildren) "/" Projects/2026', '* LIST (\\HasNoChildren) "/" Projects/2026/Q1']);
    assert.deepEqual((await ok(c, 'LIST "" inbox')).untagged, ['* LIST (\\HasNoChildren) "/" INBOX']);
    assert.deepEqual((await ok(c, 'LIST "" Entw&APw-*')).untagged, ['* LIST (\\HasNoChildren) "/" Entw&APw-rfe']);
  });

  test('LIST-EXTENDED: SUBSCRIBED with RECURSIVEMATCH, SPECIAL-USE, RETURN STATUS', async () => {
    assert.deepEqual((await ok(c, 'LIST (SUBSCRIBED) "" "P*"')).untagged, ['* LIST (\\HasNoChildren \\Subscribed) "/" Projects/2026/Q1']);
    assert.deepEqual(
      (await ok(c, 'LIST (SUBSCRIBED RECURSIVEMATCH) "" %')).untagged.filter((l) => l.includes('Projects') || l.includes('Gone')),
      ['* LIST (\\NonExistent \\Subscribed) "/" Gone', '* LIST (\\HasChildren) "/" Projects ("CHILDINFO" ("SUBSCRIBED"))'],
    );
    assert.deepEqual((await ok(c, 'LIST (SPECIAL-USE) "" *')).untagged.length, 5);
    const r = await ok(c, 'LIST "" (INBOX Sent) RETURN (SUBSCRIBED STATUS (MESSAGES UIDNEXT))');
    assert.deepEqual(r.untagged, [
      '* LIST (\\HasNoChildren \\Subscribed) "/" INBOX',
      '* STATUS INBOX (MESSAGES 0 UIDNEXT 1)',
      '* LIST (\\HasNoChildren \\Subscribed \\Sent) "/" Sent',
      '* STATUS Sent (MESSAGES 0 UIDNEXT 1)',
    ]);
    assert.match((await c.command('LIST (RECURSIVEMATCH) "" *')).tagged, /BAD/);
    assert.match((await c.command('LIST "" * RETURN (BOGUS)')).tagged, /BAD/);
  });

  test('UTF8=ACCEPT clients see UTF-8 names', async () => {
    const d = await loggedIn(s);
    await ok(d, 'ENABLE UTF8=ACCEPT');
    assert.deepEqual((await ok(d, 'LIST "" Entw*')).untagged, ['* LIST (\\HasNoChildren) "/" "Entwürfe"']);
    d.close();
  });

  // RFC 3501 5.1.3: "&Jjo" (unterminated), "&-x&AAA-" (ASCII encoded) and "&APw-&APw-" (two
  // shifts in a row) name no mailbox: nothing matches, the answer is OK (as Dovecot's).
  test('a pattern or reference that is not modified UTF-7 matches nothing; CREATE and SELECT of it answer NO', async () => {
    for (const pattern of ['"&Jjo"', '"&Jjo*"', '&-x&AEE-', 'Entw&APw-&APw-rfe', '"&"']) {
      const r = await c.command(`LIST "" ${pattern}`);
      assert.deepEqual([r.untagged, r.tagged.split(' ')[1]], [[], 'OK'], pattern);
      const l = await c.command(`LSUB "" ${pattern}`);
      assert.deepEqual([l.untagged, l.tagged.split(' ')[1]], [[], 'OK'], pattern);
    }
    assert.deepEqual((await ok(c, 'LIST "&Jjo" *')).untagged, []);
    // Among valid patterns an invalid one only adds nothing.
    assert.deepEqual((await ok(c, 'LIST "" ("&Jjo" Entw&APw-rfe)')).untagged, ['* LIST (\\HasNoChildren) "/" Entw&APw-rfe']);
    assert.match((await c.command('CREATE "&Jjo"')).tagged, /^\S+ NO \[CANNOT\]/);
    assert.match((await c.command('SELECT "&Jjo"')).tagged, /^\S+ NO \[CANNOT\]/);
    assert.match((await c.command('STATUS "&Jjo" (MESSAGES)')).tagged, /^\S+ NO \[CANNOT\]/);
  });

  test('LSUB lists subscriptions, a parent matched by % as \\Noselect', async () => {
    assert.deepEqual((await ok(c, 'LSUB "" %')).untagged, [
      '* LSUB () "/" INBOX',
      '* LSUB () "/" Archive',
      '* LSUB () "/" Drafts',
      '* LSUB (\\Noselect) "/" Gone',
      '* LSUB () "/" Junk',
      '* LSUB (\\Noselect) "/" Projects',
      '* LSUB () "/" Sent',
      '* LSUB () "/" Trash',
    ]);
    assert.deepEqual((await ok(c, 'LSUB "" Projects/*')).untagged, ['* LSUB () "/" Projects/2026/Q1']);
  });
});

test('LIST patterns: * and % by RFC 9051 6.3.9, INBOX in any case, and no backtracking blow-up', () => {
  const cases: [string, string, boolean][] = [
    ['*', 'a/b/c', true],
    ['%', 'a/b', false],
    ['a/%', 'a/b', true],
    ['a/%', 'a/b/c', false],
    ['a/*', 'a/b/c', true],
    ['%/c', 'a/c', true],
    ['a%b', 'axxb', true],
    ['a%b', 'ax/xb', false],
    ['a*b', 'ax/xb', true],
    ['inbox', 'INBOX', true],
    ['InBox/%', 'INBOX/Sub', true],
    ['INBOXES', 'INBOXES', true],
    ['inboxes', 'INBOXES', false],
    ['a.b', 'aXb', false], // no regex meaning left in literal text
    ['', '', true],
  ];
  for (const [pattern, name, expected] of cases) assert.equal(listPattern(pattern)(name), expected, `${pattern} ~ ${name}`);
  // "*a*a*...*b" against a name of a's took 33 s as a regex; here it is immediate.
  const hostile = listPattern(`${'*a'.repeat(200)}*b`);
  assert.equal(hostile('a'.repeat(2000)), false);
  assert.equal(listPattern(`${'%a'.repeat(200)}%`)('a'.repeat(2000)), true);
});
