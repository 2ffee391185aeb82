// Sender reputation and greylisting over real sockets, with DNS from a real DNS server (dnsmasq
// on 127.0.0.1 holding the test's zone) and Python's smtplib as the client from chosen 127.0.0.x
// addresses. The account writes to bob through submission (587, AUTH); bob's domain publishes
// SPF and DMARC, so his mail passes DMARC by aligned SPF. After the filter is trained, bob's
// spammy message lands in INBOX by reputation while the same words from a stranger (whose mail
// passes DMARC just as well) go to Junk, and GTUBE from bob still goes to Junk. With greylisting
// on, a first attempt and an immediate retry get 451 4.7.1 and a retry after the delay passes.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { GTUBE } from '../../src/junk/index.ts';
import { INBOX } from '../../src/store/index.ts';
import { startDnsmasq, type Dnsmasq } from '../dns/dnsmasq.ts';
import { run, startSmtpServer, type SmtpTestServer } from '../smtp/harness.ts';
import { until } from '../smtp/outbound/harness.ts';
import { tempDir } from '../support/temp-store.ts';

// friend and stranger publish the same: SPF for loopback, DMARC p=none. pharma and garden
// publish nothing (the training mail).
const ZONE = [
  'local=/net/',
  'txt-record=friend.example.net,"v=spf1 ip4:127.0.0.0/8 -all"',
  'txt-record=_dmarc.friend.example.net,"v=DMARC1; p=none"',
  'txt-record=stranger.example.net,"v=spf1 ip4:127.0.0.0/8 -all"',
  'txt-record=_dmarc.stranger.example.net,"v=DMARC1; p=none"',
];

// "mx PORT SOURCE SENDER SUBJECT BODY TRIES": one message on port 25 in one session, RCPT tried
// TRIES times in a row (RSET between); the last RCPT reply, the DATA reply when that passed and
// the earlier RCPT codes, as JSON. "submit PORT PASSWORD TO": the account writes to TO on 587.
const CLIENT = `
import json, smtplib, ssl, sys
mode, port = sys.argv[1], int(sys.argv[2])
if mode == 'submit':
    ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    with smtplib.SMTP('127.0.0.1', port, timeout=20) as s:
        s.starttls(context=ctx)
        s.login('dev@example.test', sys.argv[3])
        print(json.dumps(s.sendmail('dev@example.test', [sys.argv[4]], 'From: dev@example.test\\r\\nTo: %s\\r\\nSubject: hello\\r\\n\\r\\nHow are you?\\r\\n' % sys.argv[4])))
else:
    source, sender, subject, body, tries = sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], int(sys.argv[7])
    s = smtplib.SMTP('127.0.0.1', port, source_address=(source, 0), timeout=20)
    s.ehlo('client.example.net')
    earlier = []
    for i in range(tries):
        if i: earlier.append(out['rcpt'][0]); s.rset()
        s.mail(sender)
        out = {'rcpt': list(s.rcpt('dev@example.test'))}
    out['earlier'] = earlier
    if out['rcpt'][0] == 250:
        msg = 'From: <%s>\\r\\nTo: <dev@example.test>\\r\\nSubject: %s\\r\\nMessage-ID: <%s@example.net>\\r\\n\\r\\n%s\\r\\n' % (sender, subject, subject.replace(' ', '.'), body)
        out['data'] = list(s.data(msg.encode()))
    s.quit()
    print(json.dumps({k: v if k == 'earlier' else [v[0], v[1].decode()] for k, v in out.items()}))
`;

interface Sent {
  rcpt: [number, string];
  data?: [number, string];
  earlier: number[];
}

async function python(...args: string[]): Promise<string> {
  const r = await run('python3', ['-c', CLIENT, ...args]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

const mx = async (server: SmtpTestServer, source: string, sender: string, subject: string, body: string, tries = 1): Promise<Sent> =>
  JSON.parse(await python('mx', String(server.smtp), source, sender, subject, body, String(tries))) as Sent;

const SPAM_TEXT = 'Buy cheap viagra pills now, pharmacy discount offer, limited offer, order today!';

describe('sender reputation and greylisting over real sockets', () => {
  let dir: string;
  let dns: Dnsmasq;
  let server: SmtpTestServer;

  before(async () => {
    dir = tempDir('homepost-reputation-');
    dns = await startDnsmasq(dir, ZONE);
    server = await startSmtpServer({ systemDns: true, settings: { 'dns.servers': [`127.0.0.1:${dns.port}`], 'smtp.trustedNetworks': [] } });
  });
  after(async () => {
    await server?.close();
    await dns?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // Where the message with this subject was filed, with its keywords and X-Homepost-Junk field.
  const filed = (subject: string) => {
    const store = server.context.store;
    const id = store.accounts.get('dev@example.test')!.id;
    for (const mb of store.mailboxes.list(id)) {
      for (const m of store.messages.list(mb.id)) {
        const raw = store.messages.body(m.hash)!.toString('latin1');
        if (raw.includes(`\r\nSubject: ${subject}\r\n`)) {
          const field = /^X-Homepost-Junk: ([^\r]*(?:\r\n [^\r]*)*)\r\n/m.exec(raw)?.[1]?.replace(/\r\n /g, ' ');
          return { mailbox: mb.name, flags: m.flags, field: field ?? '' };
        }
      }
    }
    return null;
  };

  test('a correspondent the account wrote to gets spammy mail into INBOX by reputation; a stranger with the same words goes to Junk', async () => {
    const store = server.context.store;
    const id = store.accounts.get('dev@example.test')!.id;
    // Twelve of each arrive untrained; the user moves the pills to Junk and the meetings into
    // Junk and back out, as an IMAP MOVE does: 12 spam, 12 ham.
    for (let i = 0; i < 12; i++) {
      assert.equal((await mx(server, '127.0.0.8', 'deals@pharma.example.net', `Cheap pills ${i}`, `${SPAM_TEXT} ${i}`)).data?.[0], 250);
      const meeting = `Hi, the garden project meeting moves to thursday ${i}. Bring the budget spreadsheet and the seeds list.`;
      assert.equal((await mx(server, '127.0.0.8', 'alice@garden.example.net', `Garden meeting ${i}`, meeting)).data?.[0], 250);
    }
    const inbox = store.mailboxes.get(id, INBOX)!;
    const junk = store.mailboxes.get(id, 'Junk')!;
    const uids = (prefix: string, mailboxId: number) =>
      store.messages
        .list(mailboxId)
        .filter((m) => store.messages.body(m.hash)!.toString('latin1').includes(`\r\nSubject: ${prefix}`))
        .map((m) => m.uid);
    await store.messages.move({ from: inbox.id, uids: uids('Cheap pills', inbox.id), to: junk.id });
    await store.messages.move({ from: inbox.id, uids: uids('Garden meeting', inbox.id), to: junk.id });
    await store.messages.move({ from: junk.id, uids: uids('Garden meeting', junk.id), to: inbox.id });
    await server.context.junk.idle();
    const classifier = server.context.junk.classifier(id);
    assert.deepEqual([classifier.spamMessages, classifier.hamMessages], [12, 12]);

    // The account writes to bob through submission.
    assert.equal(await python('submit', String(server.submission), server.password, 'Bob@friend.example.net'), '{}\n');
    await until(() => store.reputation.isCorrespondent(id, 'bob@friend.example.net'), 'bob recorded as a correspondent');

    assert.equal((await mx(server, '127.0.0.9', 'bob@friend.example.net', 'Pills from bob', SPAM_TEXT)).data?.[0], 250);
    assert.equal((await mx(server, '127.0.0.9', 'eve@stranger.example.net', 'Pills from eve', SPAM_TEXT)).data?.[0], 250);
    const bob = filed('Pills from bob')!;
    assert.equal(bob.mailbox, INBOX);
    assert.deepEqual(bob.flags, ['$NotJunk']);
    assert.match(bob.field, /^score=([\d.]+); rule=reputation; reasons= trust:correspondent \(0\.0000\), /);
    assert.ok(Number(/^score=([\d.]+)/.exec(bob.field)![1]) >= 0.9, `its score (words and SMTP-time points) would junk it: ${bob.field}`);
    const eve = filed('Pills from eve')!;
    assert.equal(eve.mailbox, 'Junk');
    assert.deepEqual(eve.flags, ['$Junk']);
    assert.match(eve.field, /^score=[\d.]+; rule=content; /);

    // GTUBE is the user's test of the Junk path: it wins over reputation.
    assert.equal((await mx(server, '127.0.0.9', 'bob@friend.example.net', 'GTUBE from bob', GTUBE)).data?.[0], 250);
    assert.deepEqual([filed('GTUBE from bob')?.mailbox, filed('GTUBE from bob')?.field], ['Junk', 'score=1.0000; rule=gtube; reasons= gtube (1.0000)']);
  });

  test('greylisting is off by default: a first attempt passes at once', async () => {
    const r = await mx(server, '127.0.0.10', 'carol@stranger.example.net', 'First try', 'Hello there.');
    assert.deepEqual([r.rcpt[0], r.data?.[0]], [250, 250]);
  });

  test('greylisting on: a first attempt and an immediate retry get 451 4.7.1, a retry after the delay passes', async () => {
    await server.context.store.settings.set('smtp.greylist', true);
    await server.context.store.settings.set('smtp.greylistDelayMs', 1000);
    try {
      // The first attempt, and a retry right after it in the same session.
      const first = await mx(server, '127.0.0.11', 'dave@stranger.example.net', 'Greylisted', 'Hello there.', 2);
      assert.deepEqual(first.earlier, [451]);
      assert.deepEqual(first.rcpt, [451, '4.7.1 Greylisted, try again later']);
      assert.equal(first.data, undefined);
      // Another sender from the same network is a new triplet.
      assert.equal((await mx(server, '127.0.0.11', 'erin@stranger.example.net', 'Other', 'Hello.')).rcpt[0], 451);
      await new Promise((r) => setTimeout(r, 1000));
      const later = await mx(server, '127.0.0.11', 'dave@stranger.example.net', 'Greylisted', 'Hello there.');
      assert.deepEqual([later.rcpt[0], later.data?.[0]], [250, 250]);
      assert.equal(filed('Greylisted')?.mailbox, INBOX);
    } finally {
      await server.context.store.settings.set('smtp.greylist', false);
    }
  });
});
