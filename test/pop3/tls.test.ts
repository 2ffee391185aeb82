// TLS: STLS on the plain listener (RFC 2595 4) and implicit TLS (RFC 8314), with a server that
// is not in development mode, so credentials are refused until TLS is up.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LineClient, pop3Fixture, python, run, type Pop3Fixture } from './helpers.ts';

const MESSAGE = 'From: a@example.org\r\nSubject: over TLS\r\n\r\n.secret body\r\n';

describe('TLS (not in development mode)', () => {
  let f: Pop3Fixture;
  before(async () => {
    f = await pop3Fixture({ dev: false });
    await f.deliver(MESSAGE);
  });
  after(() => f.close());

  it('refuses every way of logging in before STLS, with [AUTH], and lists none of them', async () => {
    const c = await LineClient.connect(f.port);
    await c.line();
    assert.equal(await c.command('CAPA'), '+OK capability list follows');
    assert.deepEqual(await c.multiline(), ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'STLS', 'UTF8', 'IMPLEMENTATION homepost']);
    const refused = '-ERR [AUTH] authentication needs TLS: use STLS or port 995';
    assert.equal(await c.command(`USER ${f.user}`), refused);
    assert.equal(await c.command(`PASS ${f.password}`), refused);
    assert.equal(await c.command(`APOP ${f.user} ${'0'.repeat(32)}`), refused);
    assert.equal(await c.command('AUTH PLAIN'), refused);
    assert.equal(await c.command('STAT'), '-ERR STAT is not valid in the AUTHORIZATION state');
    // STLS, then the same session logs in.
    assert.equal(await c.command('STLS'), '+OK begin TLS negotiation');
    await c.startTls();
    assert.equal(await c.command('CAPA'), '+OK capability list follows');
    assert.deepEqual(await c.multiline(), [
      'TOP',
      'UIDL',
      'RESP-CODES',
      'AUTH-RESP-CODE',
      'PIPELINING',
      'USER',
      'SASL PLAIN',
      'UTF8',
      'IMPLEMENTATION homepost',
    ]);
    assert.equal(await c.command('STLS'), '-ERR TLS is already active');
    assert.equal(await c.command(`USER ${f.user}`), '+OK send PASS');
    assert.equal(await c.command(`PASS ${f.password}`), `+OK ${f.user} has 1 message`);
    // RFC 2449 5: what AUTHORIZATION announced is announced in TRANSACTION too.
    assert.equal(await c.command('CAPA'), '+OK capability list follows');
    assert.deepEqual(await c.multiline(), [
      'TOP',
      'UIDL',
      'RESP-CODES',
      'AUTH-RESP-CODE',
      'PIPELINING',
      'USER',
      'SASL PLAIN',
      'UTF8',
      'IMPLEMENTATION homepost',
    ]);
    assert.equal(await c.command('STLS'), '-ERR STLS is not valid in the TRANSACTION state');
    assert.equal(await c.command('QUIT'), '+OK bye, 0 deleted');
  });

  it('discards commands pipelined behind STLS (CVE-2011-0411 class)', async () => {
    const c = await LineClient.connect(f.port);
    await c.line();
    c.write(`STLS\r\nUSER ${f.user}\r\nPASS ${f.password}\r\n`);
    assert.equal(await c.line(), '+OK begin TLS negotiation');
    await c.startTls();
    // Had the pipelined USER/PASS run, this would be the reply to PASS.
    assert.equal(await c.command('STAT'), '-ERR STAT is not valid in the AUTHORIZATION state');
    assert.equal(await c.command(`PASS ${f.password}`), '-ERR USER first');
    c.close();
  });

  it('python poplib: stls() then login on port 110', async () => {
    const got = await python(
      `
import poplib, ssl, sys, json
p = poplib.POP3('127.0.0.1', int(sys.argv[1]))
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p.stls(ctx)
p.user(sys.argv[2]); p.pass_(sys.argv[3])
print(json.dumps([p.stat()[0], b'\\r\\n'.join(p.retr(1)[1]).decode(), p.quit().decode()]))
`,
      [f.port, f.user, f.password],
    );
    assert.deepEqual(got, [1, MESSAGE.slice(0, -2), '+OK bye, 0 deleted']);
  });

  it('python poplib POP3_SSL: implicit TLS on port 995, where STLS is not offered', async () => {
    const got = await python(
      `
import poplib, ssl, sys, json
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
p = poplib.POP3_SSL('127.0.0.1', int(sys.argv[1]), context=ctx)
capa = sorted(p.capa().keys())
p.user(sys.argv[2]); p.pass_(sys.argv[3])
print(json.dumps([capa, p.list()[1][0].decode(), p.quit().decode()]))
`,
      [f.tlsPort, f.user, f.password],
    );
    assert.deepEqual(got, [
      ['AUTH-RESP-CODE', 'IMPLEMENTATION', 'PIPELINING', 'RESP-CODES', 'SASL', 'TOP', 'UIDL', 'USER', 'UTF8'],
      `1 ${MESSAGE.length}`,
      '+OK bye, 0 deleted',
    ]);
  });

  it('openssl s_client -starttls pop3', async () => {
    const r = await run('openssl', ['s_client', '-quiet', '-crlf', '-starttls', 'pop3', '-connect', `127.0.0.1:${f.port}`], {
      input: `USER ${f.user}\nPASS ${f.password}\nSTAT\nQUIT\n`,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\r\n'), ['+OK send PASS', `+OK ${f.user} has 1 message`, `+OK 1 ${MESSAGE.length}`, '+OK bye, 0 deleted', '']);
  });

  it('openssl s_client on the implicit TLS port', async () => {
    const r = await run('openssl', ['s_client', '-quiet', '-crlf', '-connect', `127.0.0.1:${f.tlsPort}`], {
      input: `USER ${f.user}\nPASS ${f.password}\nRETR 1\nQUIT\n`,
    });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\r\n');
    assert.match(lines[0], /^\+OK homepost POP3 ready </);
    assert.deepEqual(lines.slice(1), [
      '+OK send PASS',
      `+OK ${f.user} has 1 message`,
      `+OK ${MESSAGE.length} octets`,
      'From: a@example.org',
      'Subject: over TLS',
      '',
      '..secret body',
      '.',
      '+OK bye, 0 deleted',
      '',
    ]);
  });
});
