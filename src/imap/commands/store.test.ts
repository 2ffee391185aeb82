// STORE in its forms, UNCHANGEDSINCE/MODIFIED, and what another session sees of the change.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loggedIn, message, ok, startImapServer, type ImapTestServer } from '../../../test/imap/support.ts';
import { MAX_MAILBOX_KEYWORDS } from '../../store/flags.ts';
import { WRITE_CHUNK } from '../../store/messages.ts';

describe('STORE', () => {
  let s: ImapTestServer;
  before(async () => {
    s = await startImapServer();
    for (let i = 1; i <= 4; i++) await s.deliver(message(i));
  });
  after(() => s.close());

  test('+FLAGS, -FLAGS, FLAGS and .SILENT', async () => {
    const c = await loggedIn(s);
    await ok(c, 'ENABLE IMAP4rev2');
    await ok(c, 'SELECT INBOX');
    assert.deepEqual((await ok(c, 'STORE 1:2 +FLAGS (\\Seen \\Flagged)')).untagged, [
      '* 1 FETCH (FLAGS (\\Seen \\Flagged))',
      '* 2 FETCH (FLAGS (\\Seen \\Flagged))',
    ]);
    assert.deepEqual((await ok(c, 'STORE 2 -FLAGS \\Flagged')).untagged, ['* 2 FETCH (FLAGS (\\Seen))']);
    // RFC 9051 7.3.5: a new keyword is announced in FLAGS and PERMANENTFLAGS before the FETCH that carries it.
    assert.deepEqual((await ok(c, 'STORE 3 FLAGS (\\draft $Label1)')).untagged, [
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1)',
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1 \\*)] Flags permitted',
      '* 3 FETCH (FLAGS (\\Draft $Label1))',
    ]);
    assert.deepEqual((await ok(c, 'UID STORE 4 +FLAGS.SILENT (\\Answered)')).untagged, []);
    assert.deepEqual((await ok(c, 'UID STORE 4 +FLAGS (\\Answered)')).untagged, ['* 4 FETCH (UID 4 FLAGS (\\Answered))']);
    assert.deepEqual(s.context.store.messages.get(s.context.store.mailboxes.get(s.accountId, 'INBOX')!.id, 3)!.flags, ['\\Draft', '$Label1']);
    for (const bad of [
      'STORE 1 +FLAGS (\\Recent)',
      'STORE 1 +FLAGS (\\Bogus)',
      'STORE 1 FLAG (\\Seen)',
      'STORE 9 +FLAGS (\\Seen)',
      'STORE 1 +FLAGS',
      'STORE 1 (UNCHANGEDSINCE x) FLAGS ()',
    ]) {
      assert.match((await c.command(bad)).tagged, /BAD/, bad);
    }
    c.close();
  });

  test('UNCHANGEDSINCE: MODIFIED lists what changed since; MODSEQ reported once CONDSTORE is on', async () => {
    const c = await loggedIn(s);
    await ok(c, 'SELECT INBOX (CONDSTORE)');
    const f = await ok(c, 'FETCH 1:2 MODSEQ');
    const m1 = Number(/MODSEQ \((\d+)\)/.exec(f.untagged[0]!)![1]);
    const m2 = Number(/MODSEQ \((\d+)\)/.exec(f.untagged[1]!)![1]);
    const r = await ok(c, `STORE 1:2 (UNCHANGEDSINCE ${Math.min(m1, m2)}) +FLAGS (\\Deleted)`);
    const changed = m1 <= m2 ? 1 : 2;
    const failed = changed === 1 ? 2 : 1;
    assert.equal(r.tagged, `A4 OK [MODIFIED ${failed}] Conditional STORE failed`);
    assert.match(r.untagged[0]!, new RegExp(`^\\* ${changed} FETCH \\(FLAGS \\(.*\\\\Deleted\\) MODSEQ \\(\\d+\\)\\)$`));
    const silent = await ok(c, 'UID STORE 1:2 (UNCHANGEDSINCE 99999) -FLAGS.SILENT (\\Deleted)');
    assert.deepEqual(
      silent.untagged.map((l) => l.replace(/\d+\)\)$/, 'N))')),
      [`* ${changed} FETCH (UID ${changed} MODSEQ (N))`],
    );
    c.close();
  });

  test('a STORE over several commits answers every message once, with the MODSEQ its commit gave it', async () => {
    const store = s.context.store;
    const many = await store.mailboxes.create(s.accountId, 'Many');
    const n = 2 * WRITE_CHUNK + 500;
    await store.messages.appendMany({ mailboxId: many.id, messages: Array.from({ length: n }, (_, i) => ({ raw: Buffer.from(message(i + 1)) })) });
    const c = await loggedIn(s);
    await ok(c, 'ENABLE IMAP4rev2 QRESYNC');
    await ok(c, 'SELECT Many');
    const r = await ok(c, 'STORE 1:* +FLAGS (\\Flagged $Many)');
    // The new keyword is announced first (RFC 9051 7.3.5), then one line per message, in order.
    assert.match(r.untagged[0]!, /^\* FLAGS \(.*\$Many\)$/);
    assert.match(r.untagged[1]!, /^\* OK \[PERMANENTFLAGS /);
    const lines = r.untagged.slice(2);
    assert.equal(lines.length, n);
    const modseqs = new Set<number>();
    for (const [i, line] of lines.entries()) {
      const m = /^\* (\d+) FETCH \(UID (\d+) FLAGS \(\\Flagged \$Many\) MODSEQ \((\d+)\)\)$/.exec(line);
      assert.ok(m && Number(m[1]) === i + 1 && Number(m[2]) === i + 1, line);
      modseqs.add(Number(m[3]));
    }
    assert.equal(modseqs.size, 3, 'three commits, each with its MODSEQ');
    // What the lines said is what the store holds.
    const f = await ok(c, 'FETCH 1:* (UID FLAGS MODSEQ)');
    assert.deepEqual(f.untagged, lines);
    c.close();
  });

  test('another session sees the flag change on NOOP, with a FLAGS update for a new keyword', async () => {
    const a = await loggedIn(s);
    const b = await loggedIn(s);
    await ok(a, 'SELECT INBOX');
    await ok(b, 'SELECT INBOX');
    await ok(a, 'STORE 1 +FLAGS ($NewKeyword)');
    const n = await ok(b, 'NOOP');
    assert.equal(n.untagged[0], '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Label1 $NewKeyword)');
    assert.match(n.untagged[1]!, /^\* OK \[PERMANENTFLAGS \(.*\$NewKeyword \\\*\)\]/);
    assert.match(n.untagged[2]!, /^\* 1 FETCH \(FLAGS \(.*\$NewKeyword.*\)\)$/);
    const quiet = await ok(a, 'NOOP');
    assert.deepEqual(quiet.untagged, [], 'own changes are not echoed again');
    a.close();
    b.close();
  });

  test('a change another session made before this STORE is not reported after it with its older MODSEQ', async () => {
    const a = await loggedIn(s);
    const b = await loggedIn(s);
    await ok(a, 'SELECT INBOX (CONDSTORE)');
    await ok(b, 'SELECT INBOX (CONDSTORE)');
    await ok(b, 'STORE 2 +FLAGS ($FromB)');
    const r = await ok(a, 'STORE 2 +FLAGS ($FromA)');
    const modseqs = r.untagged.flatMap((l) => /^\* 2 FETCH .*MODSEQ \((\d+)\)/.exec(l)?.[1] ?? []).map(Number);
    // RFC 7162 3.1: one report of message 2, with both keywords (announced first) and the newest MODSEQ.
    assert.equal(modseqs.length, 1, r.text);
    assert.match(r.untagged.at(-1)!, /^\* 2 FETCH \(FLAGS \(.*\$FromB \$FromA\) MODSEQ \(\d+\)\)$/);
    assert.ok(r.untagged.some((l) => /^\* FLAGS \(.*\$FromA/.test(l)));
    assert.deepEqual((await ok(a, 'NOOP')).untagged, []);
    a.close();
    b.close();
  });

  test('a mailbox takes at most MAX_MAILBOX_KEYWORDS keywords: then NO [LIMIT], and PERMANENTFLAGS without \\*', async () => {
    const c = await loggedIn(s);
    await ok(c, 'CREATE Keywords');
    // Spread over messages: one message holds at most MAX_FLAGS flags.
    const names = Array.from({ length: MAX_MAILBOX_KEYWORDS }, (_, i) => `$k${i}`);
    const messages = names.length / 64;
    for (let i = 1; i <= messages; i++) await ok(c, `APPEND Keywords {${message(i).length}+}\r\n${message(i)}`);
    await ok(c, 'SELECT Keywords');
    for (let i = 0; i < messages; i++) await ok(c, `STORE ${i + 1} +FLAGS.SILENT (${names.slice(i * 64, i * 64 + 64).join(' ')})`);
    const refused = await c.command('STORE 1 +FLAGS ($OneTooMany)');
    assert.match(refused.tagged, /^\S+ NO \[LIMIT\]/);
    const mb = s.context.store.mailboxes.get(s.accountId, 'Keywords')!;
    assert.equal(mb.keywords.length, MAX_MAILBOX_KEYWORDS);
    assert.ok(!s.context.store.messages.get(mb.id, 1)!.flags.includes('$OneTooMany'));
    // Known keywords still work, and a fresh SELECT no longer offers new ones.
    await ok(c, 'STORE 1 -FLAGS.SILENT ($k0)');
    const permanent = (await ok(c, 'SELECT Keywords')).untagged.find((l) => l.includes('PERMANENTFLAGS'))!;
    assert.match(permanent, /\$k255\)\]/);
    c.close();
  });
});
