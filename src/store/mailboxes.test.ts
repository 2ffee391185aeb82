import assert from 'node:assert/strict';
import { test } from 'node:test';
import { message, storeWithAccount } from '../../test/support/temp-store.ts';
import type { StoreChange } from './changes.ts';
import { isStoreError } from './errors.ts';
import { normalizeMailboxName } from './mailboxes.ts';

test('mailbox names: INBOX folding and invalid names', () => {
  const cases: [string, string | null][] = [
    ['inbox', 'INBOX'],
    ['InBoX/Sub', 'INBOX/Sub'],
    ['Work/2026', 'Work/2026'],
    ['Entwürfe', 'Entwürfe'],
    ['', null],
    ['/a', null],
    ['a/', null],
    ['a//b', null],
    ['a*', null],
    ['a%b', null],
    ['a\u0001', null],
    [' a', null],
    ['x'.repeat(2000), null],
  ];
  for (const [input, expected] of cases) assert.equal(normalizeMailboxName(input), expected, input);
});

test('create: superiors created, duplicates refused, UIDVALIDITY unique and ascending', async () => {
  const t = await storeWithAccount();
  try {
    const id = t.account.id;
    const deep = await t.store.mailboxes.create(id, 'Projects/2026/Q4');
    assert.ok(t.store.mailboxes.get(id, 'Projects'));
    assert.ok(t.store.mailboxes.get(id, 'Projects/2026'));
    await assert.rejects(t.store.mailboxes.create(id, 'Projects/2026/Q4'), (e) => isStoreError(e, 'exists'));
    await assert.rejects(t.store.mailboxes.create(id, 'inbox'), (e) => isStoreError(e, 'exists'));
    await assert.rejects(t.store.mailboxes.create(id, 'bad//name'), (e) => isStoreError(e, 'invalid'));
    const validities = t.store.mailboxes.list(id).map((m) => m.uidValidity);
    assert.equal(new Set(validities).size, validities.length);
    const later = await t.store.mailboxes.create(id, 'Later');
    assert.ok(later.uidValidity > deep.uidValidity);
  } finally {
    await t.close();
  }
});

test('rename moves inferiors and subscriptions; refuses into itself and onto existing', async () => {
  const t = await storeWithAccount();
  try {
    const id = t.account.id;
    await t.store.mailboxes.create(id, 'A/B/C');
    await t.store.mailboxes.subscribe(id, 'A/B');
    const b = t.store.mailboxes.get(id, 'A/B')!;
    const { uid } = await t.store.messages.append({ mailboxId: b.id, raw: message(1) });
    await t.store.mailboxes.rename(id, 'A', 'X/Y');
    assert.equal(t.store.mailboxes.get(id, 'A'), null);
    assert.equal(t.store.mailboxes.get(id, 'A/B'), null);
    const moved = t.store.mailboxes.get(id, 'X/Y/B')!;
    assert.equal(moved.id, b.id);
    assert.equal(moved.uidValidity, b.uidValidity);
    assert.ok(t.store.messages.get(moved.id, uid));
    assert.ok(t.store.mailboxes.get(id, 'X/Y/B/C'));
    assert.ok(t.store.mailboxes.get(id, 'X'));
    assert.ok(t.store.mailboxes.subscriptions(id).includes('X/Y/B'));
    assert.ok(!t.store.mailboxes.subscriptions(id).includes('A/B'));
    await assert.rejects(t.store.mailboxes.rename(id, 'X', 'X/Z'), (e) => isStoreError(e, 'invalid'));
    await assert.rejects(t.store.mailboxes.rename(id, 'X', 'Sent'), (e) => isStoreError(e, 'exists'));
    await assert.rejects(t.store.mailboxes.rename(id, 'Nope', 'Other'), (e) => isStoreError(e, 'not-found'));
  } finally {
    await t.close();
  }
});

test('renaming INBOX moves its messages, INBOX stays with its UIDVALIDITY and inferiors', async () => {
  const t = await storeWithAccount();
  try {
    const id = t.account.id;
    const inbox = t.store.mailboxes.get(id, 'INBOX')!;
    await t.store.mailboxes.create(id, 'INBOX/Child');
    for (let i = 0; i < 3; i++) await t.store.messages.append({ mailboxId: inbox.id, raw: message(i), flags: i === 0 ? ['\\Seen'] : [] });
    const changes: StoreChange[] = [];
    t.store.onChange(id, (c) => changes.push(c));
    const old = await t.store.mailboxes.rename(id, 'INBOX', 'Old Mail');
    const after = t.store.mailboxes.get(id, 'INBOX')!;
    assert.equal(after.id, inbox.id);
    assert.equal(after.uidValidity, inbox.uidValidity);
    assert.equal(after.count, 0);
    assert.equal(after.uidNext, 4);
    assert.deepEqual(
      t.store.messages.list(old.id).map((m) => [m.uid, m.flags]),
      [
        [1, ['\\Seen']],
        [2, []],
        [3, []],
      ],
    );
    assert.equal(old.count, 3);
    assert.equal(old.unseen, 2);
    assert.ok(t.store.mailboxes.get(id, 'INBOX/Child'));
    assert.deepEqual(t.store.messages.vanished(inbox.id, inbox.highestModSeq), [[1, 3]]);
    assert.deepEqual(changes.map((c) => c.kind).sort(), ['added', 'expunged', 'mailbox-created']);
  } finally {
    await t.close();
  }
});

test('delete: INBOX refused; with inferiors becomes \\Noselect; leaf removed; subscriptions kept', async () => {
  const t = await storeWithAccount();
  try {
    const id = t.account.id;
    await assert.rejects(t.store.mailboxes.delete(id, 'inbox'), (e) => isStoreError(e, 'forbidden'));
    await t.store.mailboxes.create(id, 'P/Q');
    const p = t.store.mailboxes.get(id, 'P')!;
    await t.store.mailboxes.subscribe(id, 'P');
    await t.store.messages.append({ mailboxId: p.id, raw: message(1) });
    await t.store.mailboxes.delete(id, 'P');
    const ghost = t.store.mailboxes.get(id, 'P')!;
    assert.equal(ghost.noSelect, true);
    assert.equal(ghost.count, 0);
    assert.equal(t.account.used, 0);
    await assert.rejects(t.store.messages.append({ mailboxId: p.id, raw: message(2) }), (e) => isStoreError(e, 'forbidden'));
    await assert.rejects(t.store.mailboxes.delete(id, 'P'), (e) => isStoreError(e, 'forbidden'));
    await t.store.mailboxes.delete(id, 'P/Q');
    await t.store.mailboxes.delete(id, 'P');
    assert.equal(t.store.mailboxes.get(id, 'P'), null);
    assert.ok(t.store.mailboxes.subscriptions(id).includes('P'));
    await t.store.mailboxes.create(id, 'P');
    assert.ok(t.store.mailboxes.get(id, 'P')!.uidValidity > p.uidValidity);
    await assert.rejects(t.store.mailboxes.delete(id, 'P/Nope'), (e) => isStoreError(e, 'not-found'));
  } finally {
    await t.close();
  }
});
