// POP3 and IMAP on the same INBOX, each through an outside client (python's poplib and imaplib):
// the same message names (UIDL = UID + UIDVALIDITY), the same bytes, and each protocol sees the
// other's changes: POP3's \Seen and expunges in IMAP, IMAP's expunges and appends in POP3.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createPop3Service } from '../../src/pop3/index.ts';
import { createImapService } from '../../src/imap/server.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { python } from './helpers.ts';
import { hashNewPassword } from '../../src/auth/password.ts';

const USER = 'user@example.test';
const PASSWORD = 'correct horse 1';

// What SCRIPT prints: a UID with its flags for the IMAP listings, the decoded line or reply otherwise.
interface Observed {
  uidvalidity: number;
  imap_before: [number, string[]][];
  uidl: string[];
  retr1: string;
  imap_body1: string;
  quit: string;
  imap_after_pop: [number, string[]][];
  stat_open: [number, number];
  append: string;
  retr_expunged: string;
  stat_same_session: [number, number];
  quit2: string;
  uidl_new_session: string[];
  retr_appended: string;
}

const SCRIPT = `
import imaplib, poplib, sys, json, re
imap_port, pop_port, user, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
out = {}
def pop():
    p = poplib.POP3('127.0.0.1', pop_port); p.user(user); p.pass_(password); return p
def uids(m):
    typ, data = m.uid('FETCH', '1:*', '(UID FLAGS)')
    res = []
    for d in data:
        s = d.decode() if isinstance(d, bytes) else d[0].decode() if isinstance(d, tuple) else ''
        u = re.search(r'UID (\\d+)', s); f = re.search(r'FLAGS \\(([^)]*)\\)', s)
        # \\Recent is the IMAP session's own (RFC 3501 2.3.2), not the message's.
        if u: res.append([int(u.group(1)), [x for x in (f.group(1).split() if f else []) if x != '\\Recent']])
    return res

m = imaplib.IMAP4('127.0.0.1', imap_port); m.login(user, password)
typ, data = m.select('INBOX')
typ, data = m.status('INBOX', '(UIDVALIDITY)')
uidvalidity = int(re.search(rb'UIDVALIDITY (\\d+)', data[0]).group(1))
out['uidvalidity'] = uidvalidity
out['imap_before'] = uids(m)

p = pop()
out['uidl'] = [l.decode() for l in p.uidl()[1]]
out['retr1'] = b'\\r\\n'.join(p.retr(1)[1]).decode('latin1') + '\\r\\n'
typ, data = m.uid('FETCH', str(out['imap_before'][0][0]), '(BODY.PEEK[])')
out['imap_body1'] = data[0][1].decode('latin1')
p.dele(2)
out['quit'] = p.quit().decode()

# The IMAP session learns of the POP3 session's expunge and \\Seen.
m.noop()
out['imap_after_pop'] = uids(m)

# IMAP expunges the (now) second message while a POP3 session is open; appends a new one.
p = pop()
out['stat_open'] = list(p.stat())
m.uid('STORE', str(out['imap_after_pop'][1][0]), '+FLAGS', '(\\\\Deleted)')
m.expunge()
typ, data = m.append('INBOX', None, None, b'Subject: appended by IMAP\\r\\n\\r\\nhello\\r\\n')
out['append'] = data[0].decode()
try:
    p.retr(2)
    out['retr_expunged'] = 'retrieved'
except poplib.error_proto as e:
    out['retr_expunged'] = e.args[0].decode()
out['stat_same_session'] = list(p.stat())
out['quit2'] = p.quit().decode()

p = pop()
out['uidl_new_session'] = [l.decode() for l in p.uidl()[1]]
out['retr_appended'] = b'\\r\\n'.join(p.retr(len(out['uidl_new_session']))[1]).decode()
p.quit()
m.logout()
print(json.dumps(out))
`;

describe('POP3 and IMAP on one INBOX (python poplib and imaplib)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ starters: [createPop3Service(), createImapService()] });
    const { store } = server.context;
    const account = await store.accounts.create({ address: USER, passwordHash: await hashNewPassword(PASSWORD) });
    for (let i = 1; i <= 3; i++) {
      await store.messages.deliver({ raw: Buffer.from(`From: a@example.org\r\nSubject: ${i}\r\n\r\n.body ${i}\r\n`), targets: [{ accountId: account.id }] });
    }
  });
  after(() => server.close());

  it('agree on names, bytes, flags and expunges', async () => {
    const o = await python<Observed>(SCRIPT, [server.ports.imap, server.ports.pop3, USER, PASSWORD]);
    const hex = (n: number) => n.toString(16).padStart(8, '0');
    const [u1, u2, u3] = o.imap_before.map((x: [number, string[]]) => x[0]);
    assert.deepEqual(
      o.uidl,
      [u1, u2, u3].map((u, i) => `${i + 1} ${hex(u)}${hex(o.uidvalidity)}`),
    );
    assert.equal(o.retr1, 'From: a@example.org\r\nSubject: 1\r\n\r\n.body 1\r\n');
    assert.equal(o.retr1, o.imap_body1);
    assert.equal(o.quit, '+OK bye, 1 deleted');
    // IMAP sees the POP3 session's QUIT: message 2 gone, message 1 \Seen.
    assert.deepEqual(o.imap_after_pop, [
      [u1, ['\\Seen']],
      [u3, []],
    ]);
    // The POP3 maildrop is fixed at login; what IMAP removed cannot be retrieved any more.
    assert.equal(o.stat_open[0], 2);
    assert.equal(o.retr_expunged, '-ERR message 2 was removed by another session');
    assert.deepEqual(o.stat_same_session, o.stat_open);
    assert.equal(o.quit2, '+OK bye, 0 deleted');
    // The next POP3 session sees IMAP's APPEND under the UID APPENDUID reported.
    const appendUid = Number(/APPENDUID \d+ (\d+)/.exec(o.append)?.[1]);
    assert.ok(appendUid > u3, o.append);
    assert.deepEqual(o.uidl_new_session, [`1 ${hex(u1)}${hex(o.uidvalidity)}`, `2 ${hex(appendUid)}${hex(o.uidvalidity)}`]);
    assert.equal(o.retr_appended, 'Subject: appended by IMAP\r\n\r\nhello');
  });
});
