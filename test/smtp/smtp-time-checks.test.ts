// The SMTP-time checks over real sockets, with their DNS from a real DNS server (dnsmasq on
// 127.0.0.1, test/dns/dnsmasq.ts) holding zones this test writes, and Python's smtplib as the
// client, connecting from chosen 127.0.0.x addresses: a client listed in the test's blocklist is
// refused at RCPT with 554 5.7.1 naming the list; a "query refused" answer (127.255.255.254) is
// no answer, logged and shown by the status method; an allowlisted client skips the blocklist;
// a DMARC p=reject failure is refused at the end of DATA with 550 5.7.1, and a p=quarantine one
// is filed into Junk by its mark, which the message's log line carries. A resolver that never
// answers refuses nothing and delays nothing past its timeout.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import dgram from 'node:dgram';
import { after, before, describe, test } from 'node:test';
import { callMethod, daemonApiContext } from '../../src/api/api.ts';
import type { StatusResult } from '../../src/api/commands/status.ts';
import { createLogger, silentLogger } from '../../src/log/log.ts';
import { startDnsmasq, type Dnsmasq } from '../dns/dnsmasq.ts';
import { tempDir } from '../support/temp-store.ts';
import { inbox, run, startSmtpServer, type SmtpTestServer } from './harness.ts';

// 127.0.0.5 listed, .6 answered "refused", .7 listed but allowlisted, .8 in no list.
// DMARC asks for the record of the organizational domain's parent too (_dmarc.net): answered
// NXDOMAIN here, as the internet's DNS would (dnsmasq refuses names it holds nothing for).
const ZONE = [
  'local=/net/',
  'address=/5.0.0.127.bl.example.test/127.0.0.2',
  'address=/6.0.0.127.bl.example.test/127.255.255.254',
  'address=/7.0.0.127.bl.example.test/127.0.0.2',
  'address=/7.0.0.127.wl.example.test/127.0.0.2',
  'txt-record=reject.example.net,"v=spf1 -all"',
  'txt-record=_dmarc.reject.example.net,"v=DMARC1; p=reject"',
  'txt-record=quarantine.example.net,"v=spf1 -all"',
  'txt-record=_dmarc.quarantine.example.net,"v=DMARC1; p=quarantine"',
];

// One message through smtplib from `source`, greeting with `helo`: the RCPT reply, and the DATA
// reply when RCPT passed.
const CLIENT = `
import json, smtplib, sys
port, source, helo, sender, rcpt = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
s = smtplib.SMTP('127.0.0.1', port, source_address=(source, 0), timeout=20)
s.ehlo(helo)
s.mail(sender)
out = {'rcpt': list(s.rcpt(rcpt))}
if out['rcpt'][0] == 250:
    msg = 'From: %s\\r\\nTo: %s\\r\\nSubject: checks\\r\\nMessage-ID: <%s.1@example.net>\\r\\n\\r\\nbody\\r\\n' % (sender, rcpt, source)
    out['data'] = list(s.data(msg.encode()))
s.quit()
print(json.dumps({k: [v[0], v[1].decode()] for k, v in out.items()}))
`;

interface Sent {
  rcpt: [number, string];
  data?: [number, string];
}

describe('SMTP-time checks against a real DNS server', () => {
  let dir: string;
  let dns: Dnsmasq;
  let server: SmtpTestServer;
  const lines: Record<string, unknown>[] = [];

  const send = async (source: string, sender: string, o: { rcpt?: string; helo?: string } = {}): Promise<Sent> => {
    const r = await run('python3', ['-c', CLIENT, String(server.smtp), source, o.helo ?? 'client.example.net', sender, o.rcpt ?? 'dev@example.test']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Sent;
  };
  const logged = (event: string) => lines.filter((l) => l.event === event);
  // What a rule recorded for the last message.
  const lastResult = (rule: string) => (logged('smtp.message').at(-1)!.results as { rule: string; reason: string }[]).find((r) => r.rule === rule)?.reason;

  before(async () => {
    dir = tempDir('homepost-checks-');
    dns = await startDnsmasq(dir, ZONE);
    server = await startSmtpServer({
      systemDns: true,
      log: createLogger({ level: 'debug', write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>) }),
      settings: {
        'dns.servers': [`127.0.0.1:${dns.port}`],
        'smtp.trustedNetworks': [],
        'smtp.dnsblZones': ['bl.example.test'],
        'smtp.dnsAllowlistZones': ['wl.example.test'],
        'smtp.rejectDmarc': true,
      },
    });
  });
  after(async () => {
    await server?.close();
    await dns?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a client the blocklist lists is refused at RCPT with 554 5.7.1 naming the list; postmaster still reachable', async () => {
    const before = inbox(server, 'dev@example.test').length;
    const r = await send('127.0.0.5', 'someone@example.net');
    assert.deepEqual(r.rcpt, [554, '5.7.1 Client host [127.0.0.5] blocked using bl.example.test']);
    assert.equal(r.data, undefined);
    const decided = logged('smtp.policy').find((l) => l.remote === '127.0.0.5' && l.stage === 'rcpt');
    assert.deepEqual([decided?.rule, decided?.verdict, decided?.reason], ['dnsbl', 'reject', 'listed by bl.example.test (127.0.0.2)']);
    const pm = await send('127.0.0.5', 'someone@example.net', { rcpt: 'postmaster@example.test' });
    assert.equal(pm.rcpt[0], 250, pm.rcpt[1]);
    assert.equal(pm.data?.[0], 250);
    assert.equal(inbox(server, 'dev@example.test').length, before + 1, 'only the postmaster message arrived (dev gets postmaster mail)');
  });

  test('a "query refused" answer (127.255.255.254) is no answer: delivered, logged, and shown as a warning', async () => {
    const r = await send('127.0.0.6', 'someone@example.net');
    assert.equal(r.rcpt[0], 250, r.rcpt[1]);
    assert.equal(r.data?.[0], 250);
    assert.equal(lastResult('dnsbl'), 'not listed; bl.example.test refused the query (127.255.255.254)');
    assert.deepEqual(
      logged('smtp.dnsbl_refused').map((l) => [l.zone, l.answer]),
      [['bl.example.test', '127.255.255.254']],
    );
    const status = (await callMethod(daemonApiContext(server.context, silentLogger), 'status', {})) as StatusResult;
    assert.equal(status.warnings.length, 1);
    assert.match(status.warnings[0]!, /^The blocklist bl\.example\.test refused to answer \(127\.255\.255\.254\).*public DNS resolvers/);
  });

  test('an allowlisted client skips the blocklist that lists it', async () => {
    const r = await send('127.0.0.7', 'someone@example.net');
    assert.equal(r.rcpt[0], 250, r.rcpt[1]);
    assert.equal(r.data?.[0], 250);
    assert.equal(lastResult('dnsbl'), 'allowlisted by wl.example.test (127.0.0.2)');
  });

  test('DMARC p=reject failing is refused at the end of DATA with 550 5.7.1; the log names the rule', async () => {
    const before = inbox(server, 'dev@example.test').length;
    const r = await send('127.0.0.8', 'alice@reject.example.net');
    assert.equal(r.rcpt[0], 250, r.rcpt[1]);
    assert.deepEqual(r.data, [550, '5.7.1 Message rejected: DMARC policy of the sender domain is reject']);
    assert.equal(inbox(server, 'dev@example.test').length, before);
    const line = logged('smtp.message').at(-1)!;
    assert.deepEqual([line.reply, line.rule], ['550 5.7.1', 'dmarc']);
  });

  test('DMARC p=quarantine failing is delivered with a Junk mark; reverse DNS and HELO add their score marks', async () => {
    const r = await send('127.0.0.8', 'bob@quarantine.example.net', { helo: '[127.0.0.9]' });
    assert.equal(r.data?.[0], 250, r.data?.[1]);
    const line = logged('smtp.message').at(-1)!;
    assert.equal(line.rule, null, 'no rule refused it');
    const junk = line.junk as { rule: string; kind: string; reason: string }[];
    assert.deepEqual(
      junk.map((m) => [m.rule, m.kind]),
      [
        ['helo', 'score'], // an address literal that is not the client's
        ['fcrdns', 'score'], // 127.0.0.8 has no PTR in the test's zone
        ['dmarc', 'junk'],
      ],
    );
    assert.equal(junk[2]!.reason, 'dmarc=fail p=quarantine');
    // The junk filter files it into Junk for the mark, untrained as it is, and says why.
    const store = server.context.store;
    const account = store.accounts.get('dev@example.test')!;
    const junkBox = store.mailboxes.get(account.id, 'Junk');
    assert.ok(junkBox, 'a Junk mailbox was made for it');
    const [filed] = store.messages.list(junkBox.id);
    assert.deepEqual(filed?.flags, ['$Junk']);
    assert.match(
      store.messages.body(filed!.hash)!.toString('latin1'),
      /^Return-Path: <bob@quarantine\.example\.net>\r\nX-Homepost-Junk: score=1\.0000; rule=sender; reasons=\r\n rule:dmarc \(1\.0000\)\r\n/,
    );
    assert.deepEqual(
      logged('junk.decision')
        .filter((l) => l.accountId === account.id)
        .map((l) => [l.rule, l.mailbox])
        .at(-1),
      ['sender', 'Junk'],
    );
  });
});

test('a blocklist that cannot be asked (the resolver never answers) refuses nothing: accepted and logged', async () => {
  // A local UDP socket that swallows every query.
  const sink = dgram.createSocket('udp4');
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
  const lines: Record<string, unknown>[] = [];
  const server = await startSmtpServer({
    systemDns: true,
    log: createLogger({ write: (l) => void lines.push(JSON.parse(l) as Record<string, unknown>) }),
    settings: {
      'dns.servers': [`127.0.0.1:${sink.address().port}`],
      'dns.timeoutMs': 300,
      'smtp.trustedNetworks': [],
      'smtp.dnsblZones': ['bl.example.test'],
    },
  });
  try {
    const r = await run('python3', ['-c', CLIENT, String(server.smtp), '127.0.0.5', 'client.example.net', 'someone@example.net', 'dev@example.test']);
    assert.equal(r.code, 0, r.stderr);
    const sent = JSON.parse(r.stdout) as Sent;
    assert.equal(sent.rcpt[0], 250, sent.rcpt[1]);
    assert.equal(sent.data?.[0], 250, sent.data?.[1]);
    assert.deepEqual(
      lines.filter((l) => l.event === 'smtp.dnsbl_failed').map((l) => [l.zone, l.error]),
      [['bl.example.test', 'ETIMEOUT']],
    );
    assert.equal(inbox(server, 'dev@example.test').length, 1);
  } finally {
    await server.close();
    sink.close();
  }
});
