// SELECT (QRESYNC ...) against the store's pruned expunge history (RFC 7162 3.2.5.2), and FLAGS from
// the mailbox's keyword list.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { loggedIn, message, ok, startImapServer, type ImapTestServer } from '../../../test/imap/support.ts';
import { storeInternals } from '../../../test/support/temp-store.ts';

let s: ImapTestServer;
before(async () => {
  s = await startImapServer();
});
after(() => s.close());

test('a QRESYNC MODSEQ older than the tombstones kept gets every missing UID as VANISHED (EARLIER)', async () => {
  const store = s.context.store;
  for (let i = 1; i <= 8; i++) await s.deliver(message(i), { flags: i === 3 ? ['$Old'] : [] });
  const inbox = () => store.mailboxes.get(s.accountId, 'INBOX')!;
  const since = inbox().highestModSeq;
  await store.messages.expunge({ mailboxId: inbox().id, uids: [2, 3], onlyDeleted: false });
  const afterFirst = inbox().highestModSeq;
  await store.messages.expunge({ mailboxId: inbox().id, uids: [6], onlyDeleted: false });
  await store.messages.setFlags({ mailboxId: inbox().id, uids: [7], op: 'add', flags: ['\\Seen'] });
  const c = await loggedIn(s);
  await ok(c, 'ENABLE QRESYNC');
  const exact = await ok(c, `SELECT INBOX (QRESYNC (${inbox().uidValidity} ${afterFirst}))`);
  assert.ok(exact.untagged.includes('* VANISHED (EARLIER) 6'), exact.text);
  // The store pruned its tombstones up to the first expunge (what messages.ts does past
  // MAX_TOMBSTONES): the client's MODSEQ is older than what it still knows.
  const { dbs } = storeInternals(store);
  const mb = inbox();
  await storeInternals(store).write(() => {
    dbs.expunged.removeSync([mb.id, 2]);
    dbs.expunged.removeSync([mb.id, 3]);
    dbs.mailboxes.putSync(mb.id, { ...mb, tombstones: mb.tombstones - 2, vanishedSince: afterFirst });
  });
  const full = await ok(c, `SELECT INBOX (QRESYNC (${mb.uidValidity} ${since}))`);
  assert.ok(full.untagged.includes('* VANISHED (EARLIER) 2:3,6'), full.text);
  assert.ok(
    full.untagged.some((l) => /^\* 4 FETCH \(UID 7 FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$/.test(l)),
    full.text,
  );
  // With known UIDs, only those.
  const known = await ok(c, `SELECT INBOX (QRESYNC (${mb.uidValidity} ${since} 5:8))`);
  assert.ok(known.untagged.includes('* VANISHED (EARLIER) 6'), known.text);
  // The keyword of an expunged message stays in FLAGS: the list only grows (RFC 9051 7.3.5).
  assert.ok(known.untagged.includes('* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Old)'), known.text);
  c.close();
});
