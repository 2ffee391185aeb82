// The LAN-only rule against `homepost serve` (--dev, in a child process), with clients in a
// network namespace joined to this host by a veth pair, as hosts of another network would be:
// the namespace has public-looking addresses of the documentation ranges (198.51.100.2,
// 2001:db8:77::2, RFC 5737, RFC 3849) and LAN ones (192.168.77.2, fd77::2). HTTPS listens on
// 198.51.100.1, plain HTTP on [2001:db8:77::1]. From a public address the page, its API and the
// redirect are 403 while autoconfig and autodiscover answer; from a LAN address they answer; with
// admin.allowFrom = anywhere (set through the CLI while the daemon runs) everyone gets them.
// Needs root for ip netns (CI runs as root): without it the test fails and says why.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../cli/run-cli.ts';
import { curl, startAdmin, type AdminServer, type CurlReply } from '../admin/support.ts';

const NS = `hp-lan-${process.pid}`;
// Interface names have at most 15 characters.
const HOST_END = `hpl${process.pid % 100000}`;
const NS_END = `hpn${process.pid % 100000}`;
const HOST_V4 = '198.51.100.1';
const HOST_V6 = '2001:db8:77::1';
const PUBLIC_V4 = '198.51.100.2';
const PUBLIC_V6 = '2001:db8:77::2';
const LAN_V4 = '192.168.77.2';
const LAN_V6 = 'fd77::2';

const run = promisify(execFile);

function ip(args: string[], ns = false): void {
  execFileSync('ip', ns ? ['netns', 'exec', NS, 'ip', ...args] : args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function removeNamespace(): void {
  for (const args of [
    ['netns', 'del', NS],
    ['link', 'del', HOST_END],
  ]) {
    try {
      ip(args);
    } catch {
      // not there
    }
  }
}

function makeNamespace(): void {
  if (process.getuid?.() !== 0) assert.fail('this test needs root for ip netns');
  removeNamespace();
  ip(['netns', 'add', NS]);
  ip(['link', 'add', HOST_END, 'type', 'veth', 'peer', 'name', NS_END]);
  ip(['link', 'set', NS_END, 'netns', NS]);
  for (const [end, inNs, addrs] of [
    [HOST_END, false, [`${HOST_V4}/24`, '192.168.77.1/24', `${HOST_V6}/64`, 'fd77::1/64']],
    [NS_END, true, [`${PUBLIC_V4}/24`, `${LAN_V4}/24`, `${PUBLIC_V6}/64`, `${LAN_V6}/64`]],
  ] as const) {
    for (const a of addrs) ip(['addr', 'add', a, 'dev', end, ...(a.includes(':') ? ['nodad'] : [])], inNs);
    ip(['link', 'set', end, 'up'], inNs);
  }
  ip(['link', 'set', 'lo', 'up'], true);
}

describe('the setup page answers the LAN only', () => {
  let server: AdminServer;
  // curl inside the namespace from one of its addresses, to this host under the certificate's name.
  const from = async (source: string, url: string, args: string[] = []): Promise<CurlReply> => {
    const port = new URL(url).port;
    const target = url.startsWith('https:') ? HOST_V4 : `[${HOST_V6}]`;
    const { stdout } = await run('ip', [
      'netns',
      'exec',
      NS,
      'curl',
      '-sS',
      '-i',
      '--cacert',
      server.certFile,
      '--max-time',
      '20',
      '--interface',
      source,
      '--resolve',
      `mail.example.test:${port}:${target}`,
      ...args,
      url,
    ]);
    const end = stdout.indexOf('\r\n\r\n');
    const [statusLine, ...fields] = stdout.slice(0, end).split('\r\n');
    const headers = Object.fromEntries(fields.map((f) => [f.slice(0, f.indexOf(':')).toLowerCase(), f.slice(f.indexOf(':') + 1).trim()]));
    return { status: Number(statusLine!.split(' ')[1]), headers, body: stdout.slice(end + 4) };
  };
  let https = '';
  let http = '';
  const autoconfig = () => `${https}/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=dev%40example.test`;
  const autodiscover = ['--data-binary', '<Autodiscover><Request><EMailAddress>dev@example.test</EMailAddress></Request></Autodiscover>'];

  before(async () => {
    makeNamespace();
    server = await startAdmin({ args: ['--listen', `https=${HOST_V4}:0`, '--listen', `http=[${HOST_V6}]:0`] });
    https = `https://mail.example.test:${server.ports.https}`;
    http = `http://mail.example.test:${server.ports.http}`;
  });
  after(async () => {
    if (server) await server.stop();
    removeNamespace();
  });

  test('from a public address: the page, the API and the redirect are 403 with a plain message; autoconfig and autodiscover answer', async () => {
    for (const [source, url] of [
      [PUBLIC_V4, `${https}/`],
      [PUBLIC_V4, `${https}/api/session`],
      [PUBLIC_V6, `${http}/`],
    ]) {
      const r = await from(source!, url!);
      assert.deepEqual(
        [r.status, r.headers['content-type'], r.body],
        [403, 'text/plain; charset=utf-8', 'The setup page answers the local network only (setting admin.allowFrom).\n'],
        `${source} ${url}`,
      );
    }
    const login = await from(PUBLIC_V4, `${https}/api/login`, ['-H', 'Content-Type: application/json', '-d', '{"password":"x"}']);
    assert.equal(login.status, 403);
    const xml = await from(PUBLIC_V4, autoconfig());
    assert.equal(xml.status, 200);
    assert.match(xml.body, /<hostname>mail\.example\.test<\/hostname>/);
    const plain = await from(PUBLIC_V6, `${http}/mail/config-v1.1.xml`, ['-H', 'Host: autoconfig.example.test']);
    assert.deepEqual([plain.status, plain.body], [200, xml.body]);
    const outlook = await from(PUBLIC_V4, `${https}/autodiscover/autodiscover.xml`, autodiscover);
    assert.equal(outlook.status, 200);
    assert.match(outlook.body, /<LoginName>dev@example\.test<\/LoginName>/);
  });

  test('from a LAN address (RFC 1918, unique local IPv6): the page and the redirect answer', async () => {
    const session = await from(LAN_V4, `${https}/api/session`);
    assert.deepEqual([session.status, JSON.parse(session.body)], [200, { adminExists: false, loggedIn: false }]);
    assert.equal((await from(LAN_V4, `${https}/`)).status, 200);
    const redirect = await from(LAN_V6, `${http}/`);
    assert.equal(redirect.status, 308);
  });

  test('admin.allowFrom anywhere opens the page to every address at once; lan closes it again', async () => {
    const set = async (value: string) => {
      const r = await runCli(['config', 'set', 'admin.allowFrom', value], { env: { HOMEPOST_DATA: server.dataDir } });
      assert.equal(r.code, 0, r.stderr);
    };
    await set('anywhere');
    try {
      assert.equal((await from(PUBLIC_V4, `${https}/api/session`)).status, 200);
      assert.equal((await from(PUBLIC_V6, `${http}/`)).status, 308);
    } finally {
      await set('lan');
    }
    assert.equal((await from(PUBLIC_V4, `${https}/api/session`)).status, 403);
  });
});

test('the setup page answers on loopback (127.0.0.1)', async () => {
  const server = await startAdmin();
  try {
    const page = await curl(server, [`${server.base}/`]);
    assert.equal(page.status, 200);
    assert.match(page.headers['content-type'] ?? '', /^text\/html/);
    assert.equal((await curl(server, [`${server.base}/api/session`])).status, 200);
  } finally {
    await server.stop();
  }
});
