import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { storeWithAccount } from '../../test/support/temp-store.ts';
import { silentLogger } from '../log/log.ts';
import type { Store } from '../store/index.ts';
import { scanMessage } from './filter.ts';
import { deserializeClassifier } from './format.ts';
import { KeptMail, OFFERS_PER_PASS } from './kept.ts';
import { JunkService } from './service.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);

const text = (n: number) => Buffer.from(`Subject: family news ${n}\r\nFrom: aunt@example.org\r\n\r\nthe garden is growing, see you on sunday ${n}\r\n`);

// One message into the mailbox, arrived `daysAgo` before NOW, with these flags.
async function put(store: Store, mailboxId: number, n: number, daysAgo: number, flags: string[]): Promise<number> {
  return (await store.messages.append({ mailboxId, raw: text(n), flags, internalDate: NOW - daysAgo * DAY })).uid;
}

async function setUp() {
  const t = await storeWithAccount();
  const junk = new JunkService(t.store, { log: silentLogger, scan: async (raw) => scanMessage(raw) });
  const kept = new KeptMail(t.store, junk, silentLogger);
  const box = (name: string) => t.store.mailboxes.get(t.account.id, name)!.id;
  return { ...t, junk, kept, box, id: t.account.id };
}

test('kept mail: read messages older than junk.hamAfter train ham once, without $NotJunk; Junk, Trash, Sent, unread and $Junk do not', async () => {
  const t = await setUp();
  try {
    const inbox = t.box('INBOX');
    const archive = (await t.store.mailboxes.create(t.id, 'Family')).id;
    await put(t.store, inbox, 1, 10, ['\\Seen']);
    await put(t.store, inbox, 2, 9, []); // never read
    await put(t.store, inbox, 3, 8, ['\\Seen', '$Junk']);
    await put(t.store, inbox, 4, 7, ['\\Seen', '\\Deleted']);
    await put(t.store, archive, 5, 6, ['\\Seen']);
    await put(t.store, t.box('Junk'), 6, 6, ['\\Seen']);
    await put(t.store, t.box('Trash'), 7, 6, ['\\Seen']);
    await put(t.store, t.box('Sent'), 8, 6, ['\\Seen']);
    const young = await put(t.store, inbox, 9, 1, ['\\Seen']);
    assert.equal(await t.kept.pass(NOW), 2, 'offered: INBOX 1 and Family 5');
    await t.junk.idle();
    assert.equal(t.junk.classifier(t.id).hamMessages, 2);
    assert.equal(t.junk.classifier(t.id).spamMessages, 0);
    const flags = t.store.messages.list(inbox).map((m) => m.flags);
    assert.ok(
      flags.every((f) => !f.includes('$NotJunk')),
      'no keyword set',
    );
    // The young message waits; the unread one is passed over for good, read or not later.
    assert.equal(t.junk.keptMark(t.id, inbox), young - 1);
    await t.store.messages.setFlags({ mailboxId: inbox, uids: [2], op: 'add', flags: ['\\Seen'] });
    assert.equal(await t.kept.pass(NOW), 0);
    assert.equal(await t.kept.pass(NOW + 3 * DAY), 1, 'the young one, once old enough');
    await t.junk.idle();
    assert.equal(t.junk.classifier(t.id).hamMessages, 3);
    assert.equal(await t.kept.pass(NOW + 30 * DAY), 0, 'nothing twice');
  } finally {
    await t.junk.close();
    await t.close();
  }
});

test('kept mail: marks and labels are saved with the counts; a new service carries on where the last stopped', async () => {
  const t = await setUp();
  try {
    const inbox = t.box('INBOX');
    for (let i = 0; i < 3; i++) await put(t.store, inbox, i, 5, ['\\Seen']);
    assert.equal(await t.kept.pass(NOW), 3);
    await t.junk.close();
    assert.equal(t.store.junk.keptMark(t.id, inbox), 3);
    assert.equal(deserializeClassifier(t.store.junk.counts(t.id)!).hamMessages, 3);
    const junk = new JunkService(t.store, { log: silentLogger, scan: async (raw) => scanMessage(raw) });
    const kept = new KeptMail(t.store, junk, silentLogger);
    await put(t.store, inbox, 3, 5, ['\\Seen']);
    assert.equal(await kept.pass(NOW), 1, 'only the new one');
    await junk.idle();
    assert.equal(junk.classifier(t.id).hamMessages, 4);
    await junk.save(t.id);
    // Only unread mail since: the mark moves on, and is saved at close without the counts.
    await put(t.store, inbox, 4, 5, []);
    assert.equal(await kept.pass(NOW), 0);
    const saves = mock.method(t.store.junk, 'save');
    await junk.close();
    assert.deepEqual(
      saves.mock.calls.map((c) => [c.arguments[1], [...(c.arguments[3] ?? [])]]),
      [[null, [[inbox, 5]]]],
    );
    saves.mock.restore();
    assert.equal(t.store.junk.keptMark(t.id, inbox), 5);
    // A mark of a deleted mailbox goes with it.
    const third = new JunkService(t.store, { log: silentLogger, scan: async (raw) => scanMessage(raw) });
    const other = (await t.store.mailboxes.create(t.id, 'Old')).id;
    await put(t.store, other, 9, 5, ['\\Seen']);
    await new KeptMail(t.store, third, silentLogger).pass(NOW);
    await third.close();
    assert.equal(t.store.junk.keptMark(t.id, other), 1);
    await t.store.mailboxes.delete(t.id, 'Old');
    assert.equal(t.store.junk.keptMark(t.id, other), 0);
  } finally {
    await t.close();
  }
});

test('kept mail: a pass offers at most OFFERS_PER_PASS per account; junk.hamAfter 0 turns it off', async () => {
  const t = await setUp();
  try {
    const inbox = t.box('INBOX');
    const n = OFFERS_PER_PASS + 20;
    await t.store.messages.appendMany({
      mailboxId: inbox,
      messages: Array.from({ length: n }, (_, i) => ({ raw: text(i), flags: ['\\Seen'], internalDate: NOW - 5 * DAY })),
    });
    await t.store.settings.set('junk.hamAfter', 0);
    assert.equal(await t.kept.pass(NOW), 0);
    await t.store.settings.set('junk.hamAfter', 3 * DAY);
    assert.equal(await t.kept.pass(NOW), OFFERS_PER_PASS);
    assert.equal(await t.kept.pass(NOW), 20);
    await t.junk.idle();
    assert.equal(t.junk.classifier(t.id).hamMessages, n);
  } finally {
    await t.junk.close();
    await t.close();
  }
});
