// POP3 and the store API every other protocol uses on the same INBOX: UIDs and UIDVALIDITY,
// flags, expunges, the StoreChange events IMAP sessions consume, VANISHED. imap.test.ts does the
// same through a real IMAP client.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { StoreChange } from '../../src/store/index.ts';
import { loginWhenFree, pop3Fixture, python, type Pop3Fixture } from './helpers.ts';

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

describe('POP3 and the store view other protocols share', () => {
  let f: Pop3Fixture;
  let changes: StoreChange[];
  before(async () => {
    f = await pop3Fixture();
    changes = [];
    f.server.context.store.onChange(f.accountId, (c) => changes.push(c));
  });
  after(() => f.close());
  const store = () => f.server.context.store;

  it('UIDL is the IMAP UID and UIDVALIDITY, also for messages APPENDed', async () => {
    await f.deliver('Subject: delivered\r\n\r\nx\r\n');
    const { uid } = await store().messages.append({ mailboxId: f.inbox, raw: Buffer.from('Subject: appended\r\n\r\ny\r\n'), flags: ['\\Seen'] });
    const uidValidity = store().mailboxes.getById(f.inbox)!.uidValidity;
    const c = await loginWhenFree(f);
    c.send('UIDL');
    await c.line();
    assert.deepEqual(
      await c.multiline(),
      f.uids().map((u, i) => `${i + 1} ${hex8(u)}${hex8(uidValidity)}`),
    );
    assert.equal(await c.command('UIDL 2'), `+OK 2 ${hex8(uid)}${hex8(uidValidity)}`);
    await c.command('QUIT');
  });

  it('RETR marks \\Seen at QUIT, TOP does not; the change carries the POP3 session as origin', async () => {
    for (const uid of f.uids()) await store().messages.setFlags({ mailboxId: f.inbox, uids: [uid], op: 'remove', flags: ['\\Seen'] });
    changes.length = 0;
    const c = await loginWhenFree(f);
    assert.match((await c.command('RETR 1'))!, /^\+OK \d+ octets$/);
    await c.multiline();
    assert.match((await c.command('TOP 2 0'))!, /^\+OK/);
    await c.multiline();
    // Nothing is written before QUIT.
    assert.ok(f.server.context.store.messages.list(f.inbox).every((m) => !m.flags.includes('\\Seen')));
    assert.equal(await c.command('QUIT'), '+OK bye, 0 deleted');
    const [first, second] = store().messages.list(f.inbox);
    assert.deepEqual([first.flags, second.flags], [['\\Seen'], []]);
    assert.deepEqual(
      changes.map((ch) => ch.kind),
      ['flags'],
    );
    assert.ok(changes[0].origin !== undefined && changes[0].origin !== null);
  });

  it('a message expunged elsewhere during the session: RETR says so, QUIT still works', async () => {
    await f.deliver('Subject: third\r\n\r\nz\r\n');
    const [a, b, cUid] = f.uids();
    const c = await loginWhenFree(f);
    assert.equal(await c.command('STAT').then((l) => l!.split(' ')[1]), '3');
    // Another session (IMAP EXPUNGE) removes the second message.
    await store().messages.expunge({ mailboxId: f.inbox, uids: [b], onlyDeleted: false });
    assert.equal(await c.command('RETR 2'), '-ERR message 2 was removed by another session');
    assert.equal(await c.command('DELE 2'), '+OK message 2 deleted');
    assert.equal(await c.command('DELE 3'), '+OK message 3 deleted');
    changes.length = 0;
    assert.equal(await c.command('QUIT'), '+OK bye, 1 deleted');
    assert.deepEqual(f.uids(), [a]);
    // IMAP sessions learn of the POP3 expunge from the store's change and from VANISHED.
    assert.deepEqual(
      changes.map((ch) => [ch.kind, ch.kind === 'expunged' ? ch.uids : null]),
      [['expunged', [cUid]]],
    );
    const vanished = store().messages.vanished(f.inbox, 0);
    assert.deepEqual(
      vanished.flatMap(([first, last]) => Array.from({ length: last - first + 1 }, (_, i) => first + i)),
      [b, cUid].sort((x, y) => x - y),
    );
  });

  it('a message flagged \\Deleted elsewhere is still in the maildrop until someone expunges it', async () => {
    const [a] = f.uids();
    await store().messages.setFlags({ mailboxId: f.inbox, uids: [a], op: 'add', flags: ['\\Deleted'] });
    const got = await python<[number, number]>(
      `
import poplib, sys, json
p = poplib.POP3('127.0.0.1', int(sys.argv[1])); p.user(sys.argv[2]); p.pass_(sys.argv[3])
s = p.stat(); p.quit(); print(json.dumps(s))
`,
      [f.port, f.user, f.password],
    );
    assert.equal(got[0], 1);
    assert.deepEqual(f.uids(), [a]);
  });
});
