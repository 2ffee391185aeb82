// imapflow (npm) against the whole server: STARTTLS, COMPRESS, CONDSTORE/QRESYNC, IDLE
// notifications, FETCH of envelopes, structure and sources, STORE, APPEND, MOVE, SEARCH.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import { message, startImapServer, type ImapTestServer } from './support.ts';

describe('imapflow', () => {
  let s: ImapTestServer;
  let client: ImapFlow;
  before(async () => {
    s = await startImapServer();
    for (let i = 1; i <= 3; i++) await s.deliver(message(i));
    client = new ImapFlow({
      host: '127.0.0.1',
      port: s.port,
      secure: false,
      doSTARTTLS: true,
      qresync: true,
      auth: { user: s.user, pass: s.password },
      tls: { rejectUnauthorized: false },
      logger: false,
      autoIdleDelay: 100,
    });
    await client.connect();
  });
  after(async () => {
    await client.logout().catch(() => {});
    await s.close();
  });

  test('connection state: STARTTLS and ENABLE', () => {
    assert.ok(client.secureConnection, 'upgraded with STARTTLS');
    // imapflow enables everything it knows that we offer (it also turns on COMPRESS=DEFLATE).
    assert.deepEqual([...client.enabled].sort(), ['CONDSTORE', 'IMAP4REV2', 'QRESYNC', 'UTF8=ACCEPT']);
  });

  test('list, status and fetch', async () => {
    const list = await client.list();
    const special = Object.fromEntries(list.filter((m) => m.specialUse).map((m) => [m.specialUse, m.path]));
    assert.deepEqual(special, { '\\Inbox': 'INBOX', '\\Archive': 'Archive', '\\Drafts': 'Drafts', '\\Junk': 'Junk', '\\Sent': 'Sent', '\\Trash': 'Trash' });
    const st = await client.status('INBOX', { messages: true, unseen: true, uidNext: true });
    assert.ok(st);
    assert.equal(st.messages, 3);
    assert.equal(st.unseen, 3);
    const lock = await client.getMailboxLock('INBOX');
    try {
      const seen: string[] = [];
      for await (const m of client.fetch('1:*', { uid: true, envelope: true, flags: true, bodyStructure: true, source: true })) {
        assert.equal(m.envelope?.from?.[0]?.address, 'alice@example.org');
        assert.equal(m.bodyStructure?.type, 'text/plain');
        assert.equal(m.source?.toString(), message(m.uid));
        seen.push(m.envelope!.subject!);
      }
      assert.deepEqual(seen, ['test 1', 'test 2', 'test 3']);
    } finally {
      lock.release();
    }
  });

  test('flags, search, append and move', async () => {
    const lock = await client.getMailboxLock('INBOX');
    try {
      assert.ok(await client.messageFlagsAdd('1:2', ['\\Flagged', '$Important']));
      assert.deepEqual(await client.search({ flagged: true }), [1, 2]);
      assert.deepEqual(await client.search({ subject: 'test 3' }, { uid: true }), [3]);
      const appended = await client.append('INBOX', message(4), ['\\Seen']);
      assert.ok(appended);
      assert.equal(appended.uid, 4);
      const moved = await client.messageMove('1', 'Archive');
      assert.ok(moved && moved.uidMap instanceof Map && moved.uidMap.get(1) === 1);
      const flags = [];
      for await (const m of client.fetch('1:*', { uid: true, flags: true })) flags.push([m.uid, [...m.flags!].sort()]);
      assert.deepEqual(flags, [
        [2, ['$Important', '\\Flagged']],
        [3, []],
        [4, ['\\Seen']],
      ]);
    } finally {
      lock.release();
    }
  });

  // imapflow enabled UTF8=ACCEPT: RFC 2231 values come as plain UTF-8 parameters. Sent decoded
  // under "name*", imapflow split "€ O'Brien's.pdf" at its quotes as charset'language'value.
  test('RFC 2231 file names in BODYSTRUCTURE', async () => {
    await client.mailboxCreate('Params');
    const raw =
      'From: alice@example.org\r\nSubject: params\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n' +
      "--x\r\nContent-Type: application/pdf; name*0*=utf-8''%E2%82%AC%20O'Brien; name*1*=%27s.pdf\r\n" +
      'Content-Disposition: attachment; filename="fallback.pdf"; filename*=UTF-8\'\'%C3%A9t%C3%A9.pdf\r\n\r\nAAEC\r\n--x--\r\n';
    await client.append('Params', raw);
    const lock = await client.getMailboxLock('Params');
    try {
      const m = await client.fetchOne('1', { bodyStructure: true });
      const part = m ? m.bodyStructure?.childNodes?.[0] : undefined;
      assert.deepEqual([part?.parameters, part?.dispositionParameters], [{ name: "€ O'Brien's.pdf" }, { filename: 'été.pdf' }]);
    } finally {
      lock.release();
    }
  });

  test('IDLE: a delivery and an expunge by another writer arrive as events', async () => {
    await client.mailboxOpen('INBOX');
    const exists = new Promise<number>((resolve) => client.once('exists', (d: { count: number }) => resolve(d.count)));
    await new Promise((r) => setTimeout(r, 300)); // imapflow starts IDLE on its own (autoIdleDelay)
    await s.deliver(message(5));
    assert.equal(await exists, 4);
    const gone = new Promise<unknown>((resolve) => client.once('expunge', resolve));
    const mb = s.context.store.mailboxes.get(s.accountId, 'INBOX')!;
    await s.context.store.messages.expunge({ mailboxId: mb.id, uids: [2], onlyDeleted: false });
    const ev = (await gone) as { uid?: number; seq?: number; vanished?: boolean };
    assert.ok(ev.uid === 2 || ev.seq === 1, JSON.stringify(ev));
  });
});
