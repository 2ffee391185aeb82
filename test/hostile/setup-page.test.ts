// The setup page and TLS under attack (attack 8 of the issue and the smaller findings), against
// `homepost serve` without --dev: 64 TCP connections that never send a TLS ClientHello must not
// keep a browser (curl) from another address from the page; TLS 1.2 offers only ECDHE with AEAD
// suites on every TLS port (RFC 9325 4.2; the certificate is ECDSA), checked with openssl
// s_client; and plain HTTP redirects to the configured host name, never to the Host header's.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { loopbackRange, silentConnections } from '../support/attacks.ts';
import { findingsOf, observe, serverForFile } from './support.ts';

const server = serverForFile();

function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: 30_000 }, (e, stdout, stderr) =>
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
    child.stdin?.end();
  });
}

// curl from 127.0.0.1, as a browser would come: the status, or curl's exit code when it failed.
async function loadPage(port: number): Promise<string> {
  const r = await run('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '5', `https://127.0.0.1:${port}/`]);
  return r.code === 0 ? r.stdout : `curl exit ${r.code} (${r.code === 28 ? 'timed out' : r.code === 35 ? 'TLS connect failed' : 'failed'})`;
}

test('attack 8: 64 connections that never start TLS do not keep another address from the page', { timeout: 120_000 }, () =>
  findingsOf(async (findings) => {
    const s = server();
    // 64 from one address, and 64 as 16 from each of four (16: the per-address limit before the fix).
    for (const [what, addresses] of [
      ['64 from 127.0.0.2', ['127.0.0.2']],
      ['16 each from 127.0.0.3-6', loopbackRange(3, 4)],
    ] as const) {
      const per = 64 / addresses.length;
      const { result, report } = await observe(s, async () => {
        const held = await Promise.all(addresses.map((a) => silentConnections({ port: s.ports.https, count: per, localAddress: a })));
        try {
          await new Promise((r) => setTimeout(r, 300));
          return await loadPage(s.ports.https);
        } finally {
          for (const h of held) h.close();
        }
      });
      findings.check(() => assert.equal(result, '200', `${what}: curl from 127.0.0.1 loads the page within 5 s`));
      findings.responsive(report, what);
      findings.survived(s);
    }
  }),
);

const CBC = ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA384', 'AES128-SHA', 'AES256-SHA'];
const AEAD = 'ECDHE-ECDSA-AES128-GCM-SHA256';

test('TLS 1.2 offers only AEAD suites on every TLS port (openssl s_client)', { timeout: 120_000 }, () =>
  findingsOf(async (findings) => {
    const s = server();
    const ports: [string, number, string[]][] = [
      ['https', s.ports.https, []],
      ['imaps', s.ports.imaps, []],
      ['pop3s', s.ports.pop3s, []],
      ['submissions', s.ports.submissions, []],
      ['smtp STARTTLS', s.ports.smtp, ['-starttls', 'smtp']],
      ['submission STARTTLS', s.ports.submission, ['-starttls', 'smtp']],
      ['imap STARTTLS', s.ports.imap, ['-starttls', 'imap']],
      ['pop3 STARTTLS', s.ports.pop3, ['-starttls', 'pop3']],
    ];
    for (const [name, port, extra] of ports) {
      const connect = (cipher: string) => run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_2', '-cipher', cipher, '-brief', ...extra]);
      const offered: string[] = [];
      for (const suite of CBC) if ((await connect(suite)).code === 0) offered.push(suite);
      findings.check(() => assert.ok(offered.length === 0, `${name}: TLS 1.2 refuses every CBC suite; accepted ${offered.join(', ')}`));
      const aead = await connect(AEAD);
      findings.check(() => assert.equal(aead.code, 0, `${name}: TLS 1.2 with ${AEAD} works: ${aead.stderr.slice(-300)}`));
      findings.check(() => assert.match(aead.stderr + aead.stdout, /ECDSA/, `${name}: the certificate is ECDSA`));
    }
  }),
);

test('plain HTTP with a foreign Host header redirects to the configured host name', { timeout: 60_000 }, () =>
  findingsOf(async (findings) => {
    const s = server();
    for (const host of ['evil.example', `evil.example:${s.ports.http}`, 'mail.example.test.evil.example']) {
      const r = await run('curl', [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code} %{redirect_url}',
        '-H',
        `Host: ${host}`,
        `http://127.0.0.1:${s.ports.http}/login?next=1`,
      ]);
      const [status, location] = r.stdout.split(' ');
      // RFC 9110 15.4: a redirection, to the configured name (RFC 9110 7.2: Host is the client's word).
      findings.check(() => assert.match(status!, /^30[1278]$/, `Host: ${host}: a redirect`));
      findings.check(() => assert.equal(location, `https://mail.example.test:${s.ports.https}/login?next=1`, `Host: ${host}: Location`));
    }
  }),
);
