// Python's poplib against the POP3 server: a whole maildrop downloaded and compared byte for byte
// with what was delivered, the UPDATE state, snapshots, locks and APOP.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loginWhenFree, pop3Fixture, python, type Pop3Fixture } from './helpers.ts';

const PRELUDE = `
import poplib, sys, json, base64
port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
def login():
    p = poplib.POP3('127.0.0.1', port, timeout=20)
    p.user(user); p.pass_(password)
    return p
`;

// What a message is on the wire before stuffing: CRLF line ends, a final CRLF.
function crlf(raw: string): Buffer {
  let s = raw.replace(/\r?\n/g, '\r\n');
  if (s && !s.endsWith('\r\n')) s += '\r\n';
  return Buffer.from(s, 'latin1');
}

const MESSAGES: string[] = [
  'From: a@example.org\r\nSubject: plain\r\n\r\nHello.\r\n',
  'From: a@example.org\r\nSubject: dots\r\n\r\n.\r\n..\r\n.leading dot\r\nlast\r\n',
  'From: a@example.org\nSubject: bare LF\n\nline\n.dot\n',
  'From: a@example.org\r\nSubject: no final line end\r\n\r\nunterminated',
  'From: a@example.org\r\nSubject: 8bit\r\nContent-Type: text/plain; charset=latin1\r\n\r\nK\xe4se \xfcber alles\r\n',
  `From: a@example.org\r\nSubject: big\r\n\r\n${'.line with a leading dot and some text to fill it up\r\n'.repeat(20_000)}`,
  `From: a@example.org\r\nSubject: big, nothing to stuff\r\n\r\n${'a line of text without anything to change in it\r\n'.repeat(20_000)}`,
];

describe('python poplib', () => {
  let f: Pop3Fixture;
  before(async () => (f = await pop3Fixture()));
  after(() => f.close());

  it('downloads the maildrop: STAT, LIST and UIDL agree with RETR, byte for byte', async () => {
    const uids: number[] = [];
    for (const m of MESSAGES) uids.push(await f.deliver(Buffer.from(m, 'latin1')));
    const got = await python<{ stat: [number, number]; list: string[]; uidl: string[]; retr: { resp: string; data: string }[] }>(
      PRELUDE +
        `
p = login()
stat = p.stat()
lst = [l.decode() for l in p.list()[1]]
uidl = [l.decode() for l in p.uidl()[1]]
retr = []
for i in range(1, stat[0] + 1):
    resp, lines, octets = p.retr(i)
    retr.append({'resp': resp.decode(), 'data': base64.b64encode(b''.join(l + b'\\r\\n' for l in lines)).decode()})
p.quit()
print(json.dumps({'stat': stat, 'list': lst, 'uidl': uidl, 'retr': retr}))
`,
      [f.port, f.user, f.password],
    );
    const expected = MESSAGES.map(crlf);
    const uidValidity = f.server.context.store.mailboxes.getById(f.inbox)!.uidValidity;
    assert.deepEqual(got.stat, [MESSAGES.length, expected.reduce((n, b) => n + b.length, 0)]);
    assert.deepEqual(
      got.list,
      expected.map((b, i) => `${i + 1} ${b.length}`),
    );
    assert.deepEqual(
      got.uidl,
      uids.map((uid, i) => `${i + 1} ${uid.toString(16).padStart(8, '0')}${uidValidity.toString(16).padStart(8, '0')}`),
    );
    for (const [i, r] of got.retr.entries()) {
      const data = Buffer.from(r.data, 'base64');
      assert.ok(data.equals(expected[i]), `message ${i + 1} differs`);
      assert.equal(r.resp, `+OK ${expected[i].length} octets`);
    }
    // CRLF messages come back exactly as they were delivered.
    assert.ok(Buffer.from(got.retr[0].data, 'base64').equals(Buffer.from(MESSAGES[0], 'latin1')));
    assert.ok(Buffer.from(got.retr[5].data, 'base64').equals(Buffer.from(MESSAGES[5], 'latin1')));
    assert.ok(Buffer.from(got.retr[6].data, 'base64').equals(Buffer.from(MESSAGES[6], 'latin1')));
    // RETR counts as read: QUIT flagged the messages \Seen.
    assert.ok(f.server.context.store.messages.list(f.inbox).every((m) => m.flags.includes('\\Seen')));
  });

  it('TOP sends the header and n lines of the body', async () => {
    const got = await python<string[][]>(
      PRELUDE +
        `
p = login()
out = [[l.decode('latin1') for l in p.top(2, n)[1]] for n in (0, 2)]
p.quit()
print(json.dumps(out))
`,
      [f.port, f.user, f.password],
    );
    assert.deepEqual(got, [
      ['From: a@example.org', 'Subject: dots', ''],
      ['From: a@example.org', 'Subject: dots', '', '.', '..'],
    ]);
  });

  it('CAPA lists what the server does', async () => {
    const capa = await python<Record<string, string[]>>(`${PRELUDE}print(json.dumps(poplib.POP3('127.0.0.1', port).capa()))`, [f.port, f.user, f.password]);
    assert.deepEqual(capa, {
      TOP: [],
      UIDL: [],
      'RESP-CODES': [],
      'AUTH-RESP-CODE': [],
      PIPELINING: [],
      USER: [],
      SASL: ['PLAIN'],
      STLS: [],
      UTF8: [],
      IMPLEMENTATION: ['homepost'],
    });
  });
});

// A maildrop whose listings take several writes (sendLines: about 16 KB each), one message marked
// deleted in the middle: every line once, in order, the deleted one left out.
describe('python poplib, a maildrop of 3,000 messages', () => {
  const COUNT = 3_000;
  let f: Pop3Fixture;
  before(async () => (f = await pop3Fixture()));
  after(() => f.close());

  it('LIST and UIDL list every message not marked deleted, in order', async () => {
    const raws = Array.from({ length: COUNT }, (_, i) => `From: a@example.org\r\nSubject: ${i + 1}\r\n\r\n${'x'.repeat(i % 97)}\r\n`);
    const uids = await Promise.all(raws.map((r) => f.deliver(r)));
    const got = await python<{ list: string[]; uidl: string[] }>(
      PRELUDE +
        `
p = login()
p.dele(1500)
lst = [l.decode() for l in p.list()[1]]
uidl = [l.decode() for l in p.uidl()[1]]
p.rset(); p.quit()
print(json.dumps({'list': lst, 'uidl': uidl}))
`,
      [f.port, f.user, f.password],
    );
    const uidValidity = f.server.context.store.mailboxes.getById(f.inbox)!.uidValidity;
    const hex8 = (n: number) => n.toString(16).padStart(8, '0');
    const kept = raws.map((r, i) => ({ n: i + 1, octets: Buffer.byteLength(r), uid: uids[i]! })).filter((m) => m.n !== 1500);
    assert.deepEqual(
      got.list,
      kept.map((m) => `${m.n} ${m.octets}`),
    );
    assert.deepEqual(
      got.uidl,
      kept.map((m) => `${m.n} ${hex8(m.uid)}${hex8(uidValidity)}`),
    );
  });
});

describe('the UPDATE state and the maildrop snapshot', () => {
  let f: Pop3Fixture;
  before(async () => (f = await pop3Fixture()));
  after(() => f.close());

  it('DELE only marks, RSET unmarks, QUIT removes in one commit', async () => {
    for (let i = 1; i <= 4; i++) await f.deliver(`Subject: ${i}\r\n\r\nbody ${i}\r\n`);
    const [a, b, c] = f.uids();
    const before = f.server.context.store.lastTxnId();
    const got = await python<string[]>(
      PRELUDE +
        `
p = login()
out = [p.dele(1).decode(), p.dele(2).decode(), p.rset().decode(), p.dele(2).decode(), p.dele(3).decode()]
try:
    p.dele(3)
except poplib.error_proto as e:
    out.append(str(e.args[0].decode()))
out.append(str(p.stat()))
out.append(p.quit().decode())
print(json.dumps(out))
`,
      [f.port, f.user, f.password],
    );
    assert.deepEqual(got, [
      '+OK message 1 deleted',
      '+OK message 2 deleted',
      '+OK maildrop has 4 messages',
      '+OK message 2 deleted',
      '+OK message 3 deleted',
      '-ERR message 3 already deleted',
      `(2, ${2 * 'Subject: 1\r\n\r\nbody 1\r\n'.length})`,
      '+OK bye, 2 deleted',
    ]);
    // The QUIT's one commit, then the sweep of the two released bodies (src/store/bodies.ts): it
    // starts 50 ms after the QUIT, before or after python3 has exited.
    await f.server.context.store.bodies.swept();
    assert.equal(f.server.context.store.lastTxnId(), before + 2);
    assert.ok(!f.uids().includes(b) && !f.uids().includes(c) && f.uids().includes(a));
  });

  it('a connection dropped without QUIT removes nothing', async () => {
    const uids = f.uids();
    // Bodies released by an earlier test's QUIT are swept in commits of their own (src/store/bodies.ts).
    await f.server.context.store.bodies.swept();
    const before = f.server.context.store.lastTxnId();
    await python(
      PRELUDE +
        `
p = login()
p.dele(1); p.retr(2)
p.sock.close()
print('null')
`,
      [f.port, f.user, f.password],
    );
    // The next login waits for the server to notice the drop and release the maildrop.
    const c = await loginWhenFree(f);
    assert.equal(await c.command('QUIT'), '+OK bye, 0 deleted');
    assert.deepEqual(f.uids(), uids);
    assert.equal(f.server.context.store.lastTxnId(), before);
  });

  it('messages delivered during a session are not part of it', async () => {
    const c = await loginWhenFree(f);
    const stat = await c.command('STAT');
    await c.command('UIDL');
    const uidl = await c.multiline();
    await f.deliver('Subject: late\r\n\r\nlate\r\n');
    assert.equal(await c.command('STAT'), stat);
    await c.command('UIDL');
    assert.deepEqual(await c.multiline(), uidl);
    assert.match((await c.command(`LIST ${uidl.length + 1}`))!, /^-ERR no such message/);
    assert.equal(await c.command('QUIT'), '+OK bye, 0 deleted');
    const d = await loginWhenFree(f);
    await d.command('UIDL');
    assert.equal((await d.multiline()).length, uidl.length + 1);
    await d.command('QUIT');
  });

  it('one session per maildrop: a second login gets [IN-USE]', async () => {
    const first = await loginWhenFree(f);
    const second = await python<string>(
      PRELUDE +
        `
try:
    login()
    print(json.dumps('logged in'))
except poplib.error_proto as e:
    print(json.dumps(e.args[0].decode()))
`,
      [f.port, f.user, f.password],
    );
    assert.equal(second, '-ERR [IN-USE] maildrop already in use by another POP3 session');
    assert.equal(await first.command('QUIT'), '+OK bye, 0 deleted');
    await first.closed();
    const third = await loginWhenFree(f);
    await third.command('QUIT');
  });
});

describe('APOP (RFC 1939 7)', () => {
  let f: Pop3Fixture;
  before(async () => {
    f = await pop3Fixture();
    await f.deliver('Subject: apop\r\n\r\nhi\r\n');
  });
  after(() => f.close());

  const script =
    PRELUDE +
    `
p = poplib.POP3('127.0.0.1', port)
try:
    print(json.dumps([p.apop(user, password).decode(), p.stat()[0], p.quit().decode()]))
except poplib.error_proto as e:
    print(json.dumps([e.args[0].decode()]))
`;

  it('logs in with the account POP secret, never the login password', async () => {
    assert.deepEqual(await python(script, [f.port, f.user, f.password]), ['-ERR [AUTH] authentication failed']);
    await f.server.context.store.accounts.setPopSecret(f.user, 'pop secret 42');
    assert.deepEqual(await python(script, [f.port, f.user, 'pop secret 42']), [`+OK ${f.user} has 1 message`, 1, '+OK bye, 0 deleted']);
    assert.deepEqual(await python(script, [f.port, f.user, 'wrong secret']), ['-ERR [AUTH] authentication failed']);
    assert.deepEqual(await python(script, [f.port, 'nobody@example.test', 'pop secret 42']), ['-ERR [AUTH] authentication failed']);
  });
});
