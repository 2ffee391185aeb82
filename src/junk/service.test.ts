import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mock, test } from 'node:test';
import { passwordHash, storeWithAccount } from '../../test/support/temp-store.ts';
import { silentLogger } from '../log/log.ts';
import type { Store } from '../store/index.ts';
import { scanMessage } from './filter.ts';
import { deserializeClassifier } from './format.ts';
import { JunkService, type JunkServiceOptions, SAVE_AFTER_MS } from './service.ts';

const options = (o: Partial<JunkServiceOptions> = {}): JunkServiceOptions => ({ log: silentLogger, scan: async (raw) => scanMessage(raw), ...o });

const spamText = (n: number) => Buffer.from(`Subject: cheap pills ${n}\r\n\r\nbuy cheap pills now, viagra discount offer ${n}\r\n`);

// Messages in INBOX, and the mailbox ids of INBOX and Junk.
async function deliverMany(store: Store, accountId: number, count: number) {
  for (let i = 0; i < count; i++) await store.messages.deliver({ raw: spamText(i), targets: [{ accountId }] });
  return { inbox: store.mailboxes.get(accountId, 'INBOX')!.id, junk: store.mailboxes.get(accountId, 'Junk')!.id };
}

const uidsOf = (store: Store, mailboxId: number) => store.messages.list(mailboxId).map((m) => m.uid);
const flagsOf = (store: Store, mailboxId: number) => store.messages.list(mailboxId).map((m) => m.flags);

test('junk service: counts load on first use only, and once', async () => {
  const t = await storeWithAccount();
  const reads = mock.method(t.store.junk, 'counts');
  const junk = new JunkService(t.store, options());
  try {
    assert.equal(reads.mock.callCount(), 0);
    assert.deepEqual(junk.loaded(), []);
    assert.equal(junk.classifier(t.account.id).spamMessages, 0);
    junk.classifier(t.account.id);
    assert.equal(reads.mock.callCount(), 1);
    assert.deepEqual(junk.loaded(), [t.account.id]);
  } finally {
    await junk.close();
    await t.close();
  }
});

test('junk service: moves train once, keywords follow, and the counts are saved only when the timer fires', async () => {
  const t = await storeWithAccount();
  const saves = mock.method(t.store.junk, 'save');
  mock.timers.enable({ apis: ['setTimeout'] });
  const junk = new JunkService(t.store, options());
  try {
    const id = t.account.id;
    const { inbox, junk: junkBox } = await deliverMany(t.store, id, 4);
    await t.store.messages.move({ from: inbox, uids: uidsOf(t.store, inbox), to: junkBox });
    await junk.idle();
    assert.equal(junk.classifier(id).spamMessages, 4);
    assert.ok(flagsOf(t.store, junkBox).every((f) => f.includes('$Junk') && !f.includes('$NotJunk')));
    // $Junk given again, and a copy of the same bodies into Junk: nothing trains twice.
    await t.store.messages.setFlags({ mailboxId: junkBox, uids: uidsOf(t.store, junkBox), op: 'remove', flags: ['$Junk'] });
    await t.store.messages.setFlags({ mailboxId: junkBox, uids: uidsOf(t.store, junkBox), op: 'add', flags: ['$Junk'] });
    await junk.idle();
    assert.equal(junk.classifier(id).spamMessages, 4);
    assert.equal(saves.mock.callCount(), 0, 'no save per trained message');
    assert.equal(t.store.junk.counts(id), null);
    // Two out of Junk: untrained as spam, trained as ham; into Trash: no verdict.
    const [a, b, c] = uidsOf(t.store, junkBox);
    await t.store.messages.move({ from: junkBox, uids: [a!, b!], to: inbox });
    await t.store.messages.move({ from: junkBox, uids: [c!], to: t.store.mailboxes.get(id, 'Trash')!.id });
    await junk.idle();
    assert.deepEqual([junk.classifier(id).spamMessages, junk.classifier(id).hamMessages], [2, 2]);
    assert.ok(flagsOf(t.store, inbox).every((f) => f.includes('$NotJunk') && !f.includes('$Junk')));
    assert.equal(saves.mock.callCount(), 0);
    mock.timers.tick(SAVE_AFTER_MS);
    assert.equal(saves.mock.callCount(), 1);
    await saves.mock.calls[0]!.result;
    const saved = deserializeClassifier(t.store.junk.counts(id)!);
    assert.deepEqual([saved.spamMessages, saved.hamMessages], [2, 2]);
    const [moved] = t.store.messages.list(inbox);
    assert.equal(t.store.junk.label(id, moved!.hash), false);
    // Nothing changed since: the next tick writes nothing.
    mock.timers.tick(SAVE_AFTER_MS);
    assert.equal(saves.mock.callCount(), 1);
  } finally {
    mock.timers.reset();
    await junk.close();
    await t.close();
  }
});

test('junk service: over the memory cap the least recently used account is saved and dropped', async () => {
  const t = await storeWithAccount();
  const ids = [t.account.id];
  for (const name of ['b', 'c'])
    ids.push((await t.store.accounts.create({ address: `${name}@example.test`, passwordHash: await passwordHash('password x') })).id);
  // Room for two empty classifiers (12 KB each), not three.
  const junk = new JunkService(t.store, options({ memoryBytes: 30_000 }));
  try {
    const { inbox, junk: junkBox } = await deliverMany(t.store, ids[0]!, 2);
    await t.store.messages.move({ from: inbox, uids: uidsOf(t.store, inbox), to: junkBox });
    await junk.idle();
    junk.classifier(ids[1]!);
    assert.deepEqual(junk.loaded(), [ids[0], ids[1]]);
    junk.classifier(ids[2]!);
    assert.deepEqual(junk.loaded(), [ids[1], ids[2]]);
    // Its training was saved on the way out, and comes back with it.
    assert.equal(junk.classifier(ids[0]!).spamMessages, 2);
    assert.deepEqual(junk.loaded(), [ids[2], ids[0]]);
    await junk.idle();
    await junk.close();
    assert.equal(deserializeClassifier(t.store.junk.counts(ids[0]!)!).spamMessages, 2);
  } finally {
    await junk.close();
    await t.close();
  }
});

test('junk service: close saves, a new service reads it back, and deleting the account deletes the data', async () => {
  const t = await storeWithAccount();
  const first = new JunkService(t.store, options());
  const id = t.account.id;
  try {
    const { inbox, junk: junkBox } = await deliverMany(t.store, id, 3);
    await t.store.messages.move({ from: inbox, uids: uidsOf(t.store, inbox), to: junkBox });
    await first.close();
    const second = new JunkService(t.store, options());
    assert.equal(second.classifier(id).spamMessages, 3);
    const [m] = t.store.messages.list(junkBox);
    assert.equal(t.store.junk.label(id, m!.hash), true);
    await t.store.accounts.remove(t.account.address);
    await second.close();
    assert.equal(t.store.junk.counts(id), null);
    assert.equal(t.store.junk.label(id, m!.hash), null);
  } finally {
    await t.close();
  }
});

test('junk service: training a MOVE of 1,000 messages gives the event loop back between slices', async () => {
  const t = await storeWithAccount();
  const junk = new JunkService(t.store, options());
  try {
    const id = t.account.id;
    const inbox = t.store.mailboxes.get(id, 'INBOX')!.id;
    const junkBox = t.store.mailboxes.get(id, 'Junk')!.id;
    await t.store.messages.appendMany({ mailboxId: inbox, messages: Array.from({ length: 1000 }, (_, i) => ({ raw: spamText(i) })) });
    await t.store.messages.move({ from: inbox, uids: uidsOf(t.store, inbox), to: junkBox });
    // Turns of the event loop that found the training part way through.
    let midway = 0;
    let counting = true;
    const count = () => {
      const trained = junk.classifier(id).spamMessages;
      if (trained > 0 && trained < 1000) midway++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    await junk.idle();
    counting = false;
    assert.equal(junk.classifier(id).spamMessages, 1000);
    assert.ok(midway > 0, 'other work ran while training');
  } finally {
    await junk.close();
    await t.close();
  }
});

test('junk service: the last decisions are saved at close and read back by the next service, behind newer ones', async () => {
  const t = await storeWithAccount();
  const id = t.account.id;
  const verdict = { score: 1, junk: true, rule: 'gtube' as const, reasons: [{ token: 'gtube', probability: 1 }], byContent: null };
  const deliver = async (junk: JunkService, n: number) => {
    const raw = spamText(n);
    junk.expect(id, createHash('sha256').update(raw).digest(), verdict);
    await t.store.messages.deliver({ raw, targets: [{ accountId: id }], origin: 'smtp' });
  };
  try {
    const first = new JunkService(t.store, options());
    await deliver(first, 1);
    await deliver(first, 2);
    assert.deepEqual(
      first.recentDecisions(id).map((d) => d.subject),
      ['cheap pills 2', 'cheap pills 1'],
    );
    await first.close();
    const second = new JunkService(t.store, options());
    await deliver(second, 3);
    const [inbox] = [t.store.mailboxes.get(id, 'INBOX')!.id];
    await t.store.messages.expunge({ mailboxId: inbox, uids: [1], onlyDeleted: false });
    const seen = second.recentDecisions(id).map((d) => [d.subject, d.uid]);
    assert.deepEqual(seen, [
      ['cheap pills 3', 3],
      ['cheap pills 2', 2],
      ['cheap pills 1', null],
    ]);
    await second.close();
    const third = new JunkService(t.store, options());
    assert.deepEqual(
      third.recentDecisions(id).map((d) => [d.subject, d.uid]),
      seen,
    );
    await third.close();
    await t.store.accounts.remove(t.account.address);
    assert.deepEqual(t.store.junk.decisions(id), []);
  } finally {
    await t.close();
  }
});

test('junk service: changed decisions are saved once the save timer fires, without a close', async () => {
  const t = await storeWithAccount();
  const id = t.account.id;
  mock.timers.enable({ apis: ['setTimeout'] });
  const junk = new JunkService(t.store, options());
  try {
    const raw = spamText(1);
    junk.expect(id, createHash('sha256').update(raw).digest(), { score: 1, junk: true, rule: 'gtube', reasons: [], byContent: null });
    await t.store.messages.deliver({ raw, targets: [{ accountId: id }], origin: 'smtp' });
    assert.equal(junk.recentDecisions(id).length, 1);
    assert.deepEqual(t.store.junk.decisions(id), []);
    mock.timers.tick(SAVE_AFTER_MS);
    // The commit's own time (setTimeout is mocked here): up to 5 s.
    for (const end = Date.now() + 5000; Date.now() < end && !t.store.junk.decisions(id).length; ) await new Promise((r) => setImmediate(r));
    assert.equal(t.store.junk.decisions(id).length, 1);
  } finally {
    mock.timers.reset();
    await junk.close();
    await t.close();
  }
});
