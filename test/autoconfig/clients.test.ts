// Mail clients configure themselves from `homepost serve` (--dev, in a child process): the
// Thunderbird autoconfig answer fetched with curl over HTTPS and plain HTTP is parsed by Python,
// and only its values set up smtplib, imaplib and poplib, which send a message through each
// outgoing server and read it back through each incoming one; Outlook's autodiscover answer is
// parsed by Python's XML parser; the Apple profile comes through the API with an admin session
// and is read by plistlib. Every refusal (another domain, a bad request, no session) is checked.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, cookieOf, curl, startAdmin, type AdminServer } from '../admin/support.ts';

const CAROL = { address: 'carol@example.test', password: 'carol password 1' };
const CLIENT = path.join(import.meta.dirname, 'mail_client.py');

function python<T>(code: string, input: string): T {
  return JSON.parse(execFileSync('python3', ['-c', code], { input, encoding: 'utf8', timeout: 30_000 })) as T;
}

// The Protocol elements of an autodiscover answer as {Type: {Server, Port, ...}}.
const READ_AUTODISCOVER = `
import json, sys, xml.etree.ElementTree as ET
ns = {'r': 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006', 'o': 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a'}
root = ET.fromstring(sys.stdin.read())
account = root.find('o:Response/o:Account', ns)
protocols = {p.findtext('o:Type', namespaces=ns): {c.tag.split('}')[1]: c.text for c in p} for p in account.findall('o:Protocol', ns)}
print(json.dumps({'root': root.tag, 'accountType': account.findtext('o:AccountType', namespaces=ns), 'action': account.findtext('o:Action', namespaces=ns), 'protocols': protocols}))
`;
interface Autodiscover {
  root: string;
  accountType: string;
  action: string;
  protocols: Record<'IMAP' | 'SMTP' | 'POP3', Record<string, string>>;
}

const READ_PLIST = `
import json, plistlib, sys
print(json.dumps(plistlib.loads(sys.stdin.buffer.read()), default=str))
`;
interface Profile {
  PayloadType: string;
  PayloadVersion: number;
  PayloadContent: ({ PayloadUUID: string } & Record<string, unknown>)[];
}

function autodiscoverRequest(address: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>${address}</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>`;
}

describe('automatic configuration of mail clients', () => {
  let server: AdminServer;
  let cookie = '';
  let http = '';
  const thunderbird = (query: string) => `${server.base}/.well-known/autoconfig/mail/config-v1.1.xml${query}`;
  before(async () => {
    server = await startAdmin();
    http = `http://127.0.0.1:${server.ports.http}`;
    const setup = await api(server, '/api/setup', { body: { code: server.setupCode(), password: 'admin password 1' } });
    assert.equal(setup.status, 200);
    cookie = cookieOf(setup);
    const added = await api(server, '/api/call/user.add', { body: CAROL, cookie });
    assert.equal(added.status, 200, JSON.stringify(added.json));
  });
  after(async () => {
    if (server) await server.stop();
  });

  test('Thunderbird: only the values of the autoconfig answer set up smtplib, imaplib and poplib, which send and read mail', { timeout: 120_000 }, async () => {
    const r = await curl(server, [thunderbird(`?emailaddress=${encodeURIComponent(CAROL.address)}`)]);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.headers['content-type'], 'application/xml; charset=utf-8');
    // The plain HTTP port (no redirect for these paths) and the autoconfig.<domain> form answer alike.
    const plain = await curl(server, ['-H', 'Host: autoconfig.example.test', `${http}/mail/config-v1.1.xml`]);
    assert.deepEqual([plain.status, plain.body], [200, r.body]);
    const file = path.join(server.dataDir, 'config-v1.1.xml');
    writeFileSync(file, r.body);
    const subject = `autoconfig ${process.pid} ${Date.now()}`;
    const out = execFileSync(
      'python3',
      [CLIENT, file, '--address', CAROL.address, '--cafile', server.certFile, '--resolve', 'mail.example.test=127.0.0.1', '--subject', subject],
      {
        input: `${CAROL.password}\n`,
        encoding: 'utf8',
        timeout: 90_000,
      },
    );
    const servers = JSON.parse(out).servers as {
      type: string;
      hostname: string;
      port: number;
      socketType: string;
      username: string;
      authentication: string;
      result: unknown;
    }[];
    const p = server.ports;
    assert.deepEqual(
      servers.map((s) => [s.type, s.port, s.socketType]),
      [
        ['smtp', p.submissions, 'SSL'],
        ['smtp', p.submission, 'STARTTLS'],
        ['imap', p.imaps, 'SSL'],
        ['imap', p.imap, 'STARTTLS'],
        ['pop3', p.pop3s, 'SSL'],
        ['pop3', p.pop3, 'STARTTLS'],
      ],
    );
    for (const s of servers) {
      assert.deepEqual([s.hostname, s.username, s.authentication], ['mail.example.test', CAROL.address, 'password-cleartext']);
      // Each outgoing server sent one message; each incoming server finds both, once each.
      assert.deepEqual(s.result, s.type === 'smtp' ? 'sent' : [1, 1], `${s.type} ${s.port}`);
    }
  });

  test('Thunderbird: the same answer for any address of a local domain; other domains 404; bad requests refused', async () => {
    const carol = await curl(server, [thunderbird(`?emailaddress=${encodeURIComponent(CAROL.address)}`)]);
    const nobody = await curl(server, [thunderbird('?emailaddress=no.such.account%40EXAMPLE.test')]);
    assert.deepEqual([nobody.status, nobody.body], [200, carol.body], 'no account is told apart');
    const byHost = await curl(server, [
      '-H',
      'Host: autoconfig.example.test',
      `${server.base.replace('127.0.0.1', 'autoconfig.example.test')}/mail/config-v1.1.xml`,
      '--resolve',
      `autoconfig.example.test:${server.ports.https}:127.0.0.1`,
      '-k',
    ]);
    assert.deepEqual([byHost.status, byHost.body], [200, carol.body]);
    for (const [args, status] of [
      [[thunderbird('?emailaddress=carol%40example.org')], 404],
      [['-H', 'Host: autoconfig.example.org', `${http}/mail/config-v1.1.xml`], 404],
      [[thunderbird('?emailaddress=not-an-address')], 400],
      [['-X', 'POST', '-d', 'x', thunderbird('')], 405],
    ] as [string[], number][]) {
      const r = await curl(server, args);
      assert.equal(r.status, status, args.join(' '));
      assert.equal(r.headers['content-type'], 'text/plain; charset=utf-8');
    }
  });

  test('Outlook: autodiscover answers IMAP, SMTP and POP3 with the server, implicit TLS ports and the address as login name', async () => {
    for (const url of [`${server.base}/autodiscover/autodiscover.xml`, `${http}/Autodiscover/Autodiscover.xml`]) {
      const r = await curl(server, ['-H', 'Content-Type: text/xml', '--data-binary', autodiscoverRequest('Carol@Example.TEST'), url]);
      assert.equal(r.status, 200, r.body);
      const got = python<Autodiscover>(READ_AUTODISCOVER, r.body);
      assert.deepEqual(
        [got.root, got.accountType, got.action],
        ['{http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006}Autodiscover', 'email', 'settings'],
      );
      const expect = (port: number) => ({
        Server: 'mail.example.test',
        Port: String(port),
        LoginName: CAROL.address,
        SSL: 'on',
        SPA: 'off',
        AuthRequired: 'on',
        DomainRequired: 'off',
      });
      const { UsePOPAuth, ...smtp } = got.protocols.SMTP;
      assert.equal(UsePOPAuth, 'on');
      assert.deepEqual(
        { IMAP: got.protocols.IMAP, SMTP: smtp, POP3: got.protocols.POP3 },
        {
          IMAP: { Type: 'IMAP', ...expect(server.ports.imaps) },
          SMTP: { Type: 'SMTP', ...expect(server.ports.submissions) },
          POP3: { Type: 'POP3', ...expect(server.ports.pop3s) },
        },
      );
    }
    // An escaped address is read as the address; an unknown one of a local domain answers alike.
    const escaped = await curl(server, [
      '--data-binary',
      autodiscoverRequest('o&apos;brien&#x40;example.test'),
      `${server.base}/autodiscover/autodiscover.xml`,
    ]);
    assert.equal(escaped.status, 200, escaped.body);
    assert.equal(python<Autodiscover>(READ_AUTODISCOVER, escaped.body).protocols.IMAP.LoginName, "o'brien@example.test");
  });

  test('Outlook: wrong method, no address, a DTD, another domain and a body over 4 KB are refused', async () => {
    const url = `${server.base}/autodiscover/autodiscover.xml`;
    const entity = `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e "carol@example.test">]>${autodiscoverRequest('&e;')}`;
    for (const [args, status] of [
      [[url], 405],
      [['--data-binary', '<Autodiscover><Request></Request></Autodiscover>', url], 400],
      [['--data-binary', entity, url], 400],
      [['--data-binary', autodiscoverRequest('carol@example.org'), url], 404],
      [['--data-binary', autodiscoverRequest(CAROL.address) + ' '.repeat(4096), url], 413],
    ] as [string[], number][]) {
      const r = await curl(server, args);
      assert.equal(r.status, status, `${args.slice(0, -1).join(' ').slice(0, 80)}: ${r.body}`);
    }
    // The server still answers.
    assert.equal((await curl(server, ['--data-binary', autodiscoverRequest(CAROL.address), url])).status, 200);
  });

  test("Apple: the profile downloads through the API with a session and is a plist with the account's servers", async () => {
    const url = `${server.base}/api/mobileconfig?address=${encodeURIComponent(CAROL.address)}`;
    const anonymous = await curl(server, [url]);
    assert.equal(anonymous.status, 401);
    const r = await curl(server, ['-H', `Cookie: ${cookie}`, url]);
    assert.equal(r.status, 200, r.body);
    assert.equal(r.headers['content-type'], 'application/x-apple-aspen-config');
    assert.equal(r.headers['content-disposition'], 'attachment; filename="carol@example.test.mobileconfig"');
    const plist = python<Profile>(READ_PLIST, r.body);
    assert.deepEqual([plist.PayloadType, plist.PayloadVersion, plist.PayloadContent.length], ['Configuration', 1, 1]);
    const mail = plist.PayloadContent[0];
    assert.deepEqual(
      {
        type: mail.PayloadType,
        account: mail.EmailAccountType,
        address: mail.EmailAddress,
        incoming: [
          mail.IncomingMailServerHostName,
          mail.IncomingMailServerPortNumber,
          mail.IncomingMailServerUseSSL,
          mail.IncomingMailServerUsername,
          mail.IncomingMailServerAuthentication,
        ],
        outgoing: [
          mail.OutgoingMailServerHostName,
          mail.OutgoingMailServerPortNumber,
          mail.OutgoingMailServerUseSSL,
          mail.OutgoingMailServerUsername,
          mail.OutgoingMailServerAuthentication,
        ],
      },
      {
        type: 'com.apple.mail.managed',
        account: 'EmailTypeIMAP',
        address: CAROL.address,
        incoming: ['mail.example.test', server.ports.imaps, true, CAROL.address, 'EmailAuthPassword'],
        outgoing: ['mail.example.test', server.ports.submissions, true, CAROL.address, 'EmailAuthPassword'],
      },
    );
    assert.ok(!('IncomingPassword' in mail) && !('OutgoingPassword' in mail), 'no password in the profile');
    assert.match(mail.PayloadUUID, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    const unknown = await curl(server, ['-H', `Cookie: ${cookie}`, `${server.base}/api/mobileconfig?address=nobody%40example.test`]);
    assert.deepEqual([unknown.status, JSON.parse(unknown.body).error.code], [404, 'not-found']);
  });

  test('client.settings: server name, user name and every port, as the CLI shows them', async () => {
    const r = await api<{ result: unknown }>(server, '/api/call/client.settings', { body: { address: 'CAROL@example.test' }, cookie });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const p = server.ports;
    assert.deepEqual(r.json.result, {
      address: CAROL.address,
      username: CAROL.address,
      password: 'the account password',
      hostname: 'mail.example.test',
      incoming: [
        { protocol: 'imap', port: p.imaps, security: 'tls' },
        { protocol: 'imap', port: p.imap, security: 'starttls' },
        { protocol: 'pop3', port: p.pop3s, security: 'tls' },
        { protocol: 'pop3', port: p.pop3, security: 'starttls' },
      ],
      outgoing: [
        { protocol: 'smtp', port: p.submissions, security: 'tls' },
        { protocol: 'smtp', port: p.submission, security: 'starttls' },
      ],
    });
    const unknown = await api<{ error: { code: string } }>(server, '/api/call/client.settings', { body: { address: 'nobody@example.test' }, cookie });
    assert.deepEqual([unknown.status, unknown.json.error.code], [404, 'not-found']);
  });
});
