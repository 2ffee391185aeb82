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
  assert.deepEqual([...v.uids], [1, 3, 5]);
});

test('while expunges are held (FETCH, STORE, SEARCH) sequence numbers stay and additions still come', () => {
  const v = view();
  v.apply({ ...base, kind: 'expunged', uids: [1], modseq: 7 }, false);
  v.apply({ ...base, kind: 'added', uids: [4] }, false);
  assert.deepEqual(v.take(false).expunged, []);
  assert.deepEqual([...v.uids], [1, 2, 3, 4]);
  assert.deepEqual(v.take(true).expunged, [{ seq: 1, uid: 1 }]);
  assert.deepEqual([...v.uids], [2, 3, 4]);
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

test('resolve: sequence and UID sets, reversed and overlapping ranges, "*", in mailbox order without duplicates', () => {
  const v = new MailboxView({
    mailboxId: 1,
    uidValidity: 1,
    readOnly: false,
    name: 'INBOX',
    uids: [2, 4, 7, 9, 12],
    recent: [],
    keywords: [],
    highestModSeq: 5,
  });
  const set = (ranges: [number | null, number | null][]) => ({ ranges, saved: false });
  // RFC 9051 6.4.8: UID ranges name the UIDs that exist; n:* covers the highest even when n is larger.
  assert.deepEqual(v.resolve(set([[1, null]]), true), [2, 4, 7, 9, 12]);
  assert.deepEqual(v.resolve(set([[100, null]]), true), [12]);
  assert.deepEqual(
    v.resolve(
      set([
        [9, 3],
        [4, 4],
        [5, 6],
        [8, 12],
      ]),
      true,
    ),
    [4, 7, 9, 12],
  );
  assert.deepEqual(v.resolve(set([[13, 20]]), true), []);
  // Sequence numbers: 1..5 here; beyond is an error, except for SEARCH (lenient).
  assert.deepEqual(
    v.resolve(
      set([
        [4, 2],
        [1, 1],
        [2, 3],
      ]),
      false,
    ),
    [2, 4, 7, 9],
  );
  assert.deepEqual(v.resolve(set([[null, 3]]), false), [7, 9, 12]);
  assert.throws(() => v.resolve(set([[4, 6]]), false), /Invalid message sequence number/);
  assert.deepEqual(v.resolve(set([[4, 60]]), false, true), [9, 12]);
  assert.deepEqual(v.resolve(set([[7, 8]]), false, true), []);
});

test('views made from one UID array (the index shares its copy between SELECTs) change apart', () => {
  const shared = Uint32Array.from([1, 2, 3]);
  const make = () =>
    new MailboxView({ mailboxId: 1, uidValidity: 1, readOnly: false, name: 'INBOX', uids: shared, recent: [], keywords: [], highestModSeq: 5 });
  const a = make();
  const b = make();
  a.apply({ ...base, kind: 'added', uids: [4] }, false);
  a.take(true);
  b.apply({ ...base, kind: 'expunged', uids: [2], modseq: 7 }, false);
  b.take(true);
  b.apply({ ...base, kind: 'added', uids: [5] }, false);
  b.take(true);
  assert.deepEqual([...a.uids], [1, 2, 3, 4]);
  assert.deepEqual([...b.uids], [1, 3, 5]);
  assert.deepEqual([...shared], [1, 2, 3], 'the shared array is never written');
});
