// The view's pending changes: what take() hands to the session to report, and what reported()
// lets it skip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MailboxView } from './mailbox-view.ts';

const view = () =>
  new MailboxView({ mailboxId: 1, uidValidity: 1, readOnly: false, name: 'INBOX', uids: [1, 2, 3], recent: [], keywords: [], highestModSeq: 5 });
const base = { accountId: 1, mailboxId: 1 };

test('a message added and expunged since the last report is never announced', () => {
  const v = view();
  v.apply({ ...base, kind: 'added', uids: [4, 5] }, false);
  v.apply({ ...base, kind: 'expunged', uids: [2, 4], modseq: 7 }, false);
  const t = v.take(true);
  assert.deepEqual(t.expunged, [{ seq: 2, uid: 2 }]);
  assert.deepEqual(t.added, [5]);
  assert.deepEqual(v.uids, [1, 3, 5]);
});

test('while expunges are held (FETCH, STORE, SEARCH) sequence numbers stay and additions still come', () => {
  const v = view();
  v.apply({ ...base, kind: 'expunged', uids: [1], modseq: 7 }, false);
  v.apply({ ...base, kind: 'added', uids: [4] }, false);
  assert.deepEqual(v.take(false).expunged, []);
  assert.deepEqual(v.uids, [1, 2, 3, 4]);
  assert.deepEqual(v.take(true).expunged, [{ seq: 1, uid: 1 }]);
  assert.deepEqual(v.uids, [2, 3, 4]);
});

test("other writers' flag changes are pending by UID until reported or covered by newer flags sent", () => {
  const v = view();
  v.apply(
    {
      ...base,
      kind: 'flags',
      messages: [
        { uid: 1, flags: ['$a'], modseq: 6 },
        { uid: 3, flags: [], modseq: 6 },
      ],
    },
    false,
  );
  v.apply({ ...base, kind: 'flags', messages: [{ uid: 3, flags: ['$b'], modseq: 8 }] }, false);
  // Flags of message 1 as of MODSEQ 7 were sent meanwhile (a FETCH): its change is covered.
  v.reported(1, 7);
  // Message 3's were sent as of 7 too, but its change of 8 is newer: still to report.
  v.reported(3, 7);
  assert.deepEqual(v.take(true).flags, [{ seq: 3, uid: 3 }]);
  assert.equal(v.hasPending, false);
});

test('own flag changes are not pending', () => {
  const v = view();
  assert.equal(v.apply({ ...base, kind: 'flags', messages: [{ uid: 2, flags: ['$a'], modseq: 9 }] }, true), false);
  assert.equal(v.hasPending, false);
});
