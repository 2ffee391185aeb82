import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { message, storeWithAccount } from '../../test/support/temp-store.ts';
import type { StoreChange } from '../store/index.ts';
import { Pop3Error } from './errors.ts';
import { Maildrop, MaildropLocks } from './maildrop.ts';

type T = Awaited<ReturnType<typeof storeWithAccount>>;

describe('Maildrop (RFC 1939 4-6)', () => {
  let t: T;
  let inbox: number;
  const deliver = (raw: Buffer) => t.store.messages.deliver({ raw, targets: [{ accountId: t.account.id }] });

  beforeEach(async () => {
    t = await storeWithAccount();
    inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
    for (let i = 1; i <= 3; i++) await deliver(message(i));
  });
  afterEach(() => t.close());

  it('is the INBOX at login: later deliveries are not in it', async () => {
    const drop = await Maildrop.open(t.store, t.account.id);
    await deliver(message(4));
    assert.deepEqual(drop.numbers, [1, 2, 3]);
    assert.deepEqual(drop.stat(), { count: 3, octets: message(1).length * 3 });
  });

  it('STAT leaves out the messages DELE marked, and counts them again after RSET', async () => {
    await deliver(Buffer.from('Subject: longer one\r\n\r\nsome more body\r\n'));
    const drop = await Maildrop.open(t.store, t.account.id);
    const size = message(1).length;
    const fourth = drop.octets(4);
    drop.markDeleted(2);
    drop.markDeleted(4);
    drop.markDeleted(4);
    assert.deepEqual(drop.stat(), { count: 2, octets: 2 * size });
    drop.unmarkAll();
    assert.deepEqual(drop.stat(), { count: 4, octets: 3 * size + fourth });
    drop.markDeleted(1);
    assert.deepEqual(drop.stat(), { count: 3, octets: 2 * size + fourth });
  });

  it('names each message by UID and UIDVALIDITY, as Dovecot does', async () => {
    const drop = await Maildrop.open(t.store, t.account.id);
    const mb = t.store.mailboxes.getById(inbox)!;
    assert.equal(drop.uidl(2), `00000002${mb.uidValidity.toString(16).padStart(8, '0')}`);
    assert.match(drop.uidl(3), /^[0-9a-f]{16}$/);
  });

  it('counts bare LF line ends as CRLF', async () => {
    await deliver(Buffer.from('Subject: lf\n\nbody\n'));
    const drop = await Maildrop.open(t.store, t.account.id);
    assert.equal(drop.octets(4), 'Subject: lf\r\n\r\nbody\r\n'.length);
  });

  it('checks message numbers', async () => {
    const drop = await Maildrop.open(t.store, t.account.id);
    for (const bad of ['0', '4', '-1', 'x', '1.0', '01', '99999999999']) {
      assert.throws(() => drop.number(bad), Pop3Error, bad);
    }
    drop.markDeleted(2);
    assert.throws(() => drop.number('2'), /already deleted/);
    assert.deepEqual(drop.numbers, [1, 3]);
    drop.unmarkAll();
    assert.equal(drop.number('2'), 2);
  });

  it('commits deletions and \\Seen in one store commit', async () => {
    const changes: StoreChange[] = [];
    t.store.onChange(t.account.id, (c) => changes.push(c));
    const drop = await Maildrop.open(t.store, t.account.id);
    drop.markRetrieved(1);
    drop.markRetrieved(2);
    drop.markDeleted(2);
    drop.markDeleted(3);
    const before = t.store.lastTxnId();
    assert.deepEqual(await drop.commit('pop3-test'), { expunged: 2, seen: 1 });
    assert.equal(t.store.lastTxnId(), before + 1);
    assert.deepEqual(
      t.store.messages.list(inbox).map((m) => [m.uid, m.flags]),
      [[1, ['\\Seen']]],
    );
    assert.deepEqual(
      changes.map((c) => [c.kind, c.origin]),
      [
        ['flags', 'pop3-test'],
        ['expunged', 'pop3-test'],
      ],
    );
  });

  it('writes nothing when nothing changes', async () => {
    await t.store.messages.setFlags({ mailboxId: inbox, uids: [1], op: 'add', flags: ['\\Seen'] });
    const drop = await Maildrop.open(t.store, t.account.id);
    drop.markRetrieved(1);
    const before = t.store.lastTxnId();
    assert.deepEqual(await drop.commit(null), { expunged: 0, seen: 0 });
    assert.equal(t.store.lastTxnId(), before);
  });

  it('reads the next message ahead, and still checks that it exists when asked for it', async () => {
    const drop = await Maildrop.open(t.store, t.account.id);
    assert.ok((await drop.body(1)).equals(message(1)));
    drop.readAhead(1);
    await new Promise((r) => setImmediate(r));
    await t.store.messages.expunge({ mailboxId: inbox, uids: [2], onlyDeleted: false });
    await assert.rejects(drop.body(2), /removed by another session/);
    drop.readAhead(2);
    await new Promise((r) => setImmediate(r));
    assert.ok((await drop.body(3)).equals(message(3)));
    drop.readAhead(3);
    drop.close();
    await new Promise((r) => setImmediate(r));
  });

  it('reads a large body, and the next one ahead, on lmdb-js threads before the event loop reads it', async () => {
    const large = (n: number) => message(n, `X-Filler: ${'x'.repeat(990)}\r\n`.repeat(70));
    await deliver(large(4));
    await deliver(large(5));
    assert.ok(large(4).length > 64 * 1024);
    const messages = t.store.messages;
    const original = messages.prefetchMessages.bind(messages);
    const asked: number[] = [];
    messages.prefetchMessages = (mailboxId, uids, reads) => {
      assert.equal(reads, 'whole');
      asked.push(...uids);
      return original(mailboxId, uids, reads);
    };
    try {
      const drop = await Maildrop.open(t.store, t.account.id);
      assert.ok((await drop.body(3)).equals(message(3)));
      assert.deepEqual(asked, []);
      assert.ok((await drop.body(4)).equals(large(4)));
      assert.deepEqual(asked, [4]);
      drop.readAhead(4);
      assert.deepEqual(asked, [4, 5]);
      assert.ok((await drop.body(5)).equals(large(5)));
      assert.deepEqual(asked, [4, 5]);
      drop.close();
    } finally {
      messages.prefetchMessages = original;
    }
  });

  it('still lists, with its octets in CRLF form, a message another session expunged', async () => {
    const gone = 'Subject: expunged before STAT\n\nbody\n';
    await deliver(Buffer.from(gone));
    const drop = await Maildrop.open(t.store, t.account.id);
    await t.store.messages.expunge({ mailboxId: inbox, uids: [2, 4], onlyDeleted: false });
    const size = message(1).length;
    // Octets were counted at delivery: the body that is gone need not be read.
    assert.deepEqual(drop.stat(), { count: 4, octets: size * 3 + gone.replaceAll('\n', '\r\n').length });
    await assert.rejects(drop.body(4), /removed by another session/);
  });

  it('reads no body at login or STAT (octets are stored with each message)', async () => {
    const bodies = t.store.messages;
    const original = bodies.body.bind(bodies);
    let reads = 0;
    bodies.body = (hash) => {
      reads++;
      return original(hash);
    };
    try {
      const drop = await Maildrop.open(t.store, t.account.id);
      assert.deepEqual(drop.stat(), { count: 3, octets: message(1).length * 3 });
      assert.equal(reads, 0);
      assert.ok((await drop.body(1)).equals(message(1)));
      assert.equal(reads, 1);
    } finally {
      bodies.body = original;
    }
  });

  it('a login reads its INBOX index ahead while the password is checked; open() then finds it current', async () => {
    const messages = t.store.messages;
    const original = messages.warmIndex.bind(messages);
    const warmed: number[] = [];
    messages.warmIndex = (id) => {
      warmed.push(id);
      original(id);
    };
    try {
      Maildrop.warm(t.store, t.account.address);
      Maildrop.warm(t.store, 'nobody@example.org');
      Maildrop.warm(t.store, 'not an address');
      assert.deepEqual(warmed, [inbox]);
      await deliver(message(4)); // committed while the read-ahead may still run
      const drop = await Maildrop.open(t.store, t.account.id);
      assert.deepEqual(drop.numbers, [1, 2, 3, 4]);
    } finally {
      messages.warmIndex = original;
    }
  });

  it('copes with messages another session expunged', async () => {
    const drop = await Maildrop.open(t.store, t.account.id);
    await t.store.messages.expunge({ mailboxId: inbox, uids: [2], onlyDeleted: false });
    await assert.rejects(drop.body(2), /removed by another session/);
    drop.markDeleted(2);
    drop.markDeleted(3);
    assert.deepEqual(await drop.commit(null), { expunged: 1, seen: 0 });
    assert.deepEqual(
      t.store.messages.list(inbox).map((m) => m.uid),
      [1],
    );
  });
});

it('MaildropLocks: one holder per account', () => {
  const locks = new MaildropLocks();
  assert.equal(locks.acquire(1), true);
  assert.equal(locks.acquire(1), false);
  assert.equal(locks.acquire(2), true);
  locks.release(1);
  assert.equal(locks.acquire(1), true);
});
