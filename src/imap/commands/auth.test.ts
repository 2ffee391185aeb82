// Authentication: LOGINDISABLED before TLS, STARTTLS (and that pipelined plaintext is dropped),
// implicit TLS, LOGIN, AUTHENTICATE PLAIN with and without SASL-IR, and the shared throttle.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RawClient, startImapServer, type ImapTestServer } from '../../../test/imap/support.ts';
import { loginIdentity } from '../../auth/login.ts';

const plain = (user: string, pass: string, authz = '') => Buffer.from(`${authz}\0${user}\0${pass}`).toString('base64');

describe('without TLS and outside development mode', () => {
  let s: ImapTestServer;
  before(async () => (s = await startImapServer({ dev: false })));
  after(() => s.close());

  test('the greeting offers STARTTLS and LOGINDISABLED, no AUTH=', async () => {
    const c = await RawClient.connect(s.port);
    const greeting = await c.line();
    assert.match(greeting, /^\* OK \[CAPABILITY IMAP4rev1 IMAP4rev2 .*STARTTLS LOGINDISABLED\] /);
    assert.doesNotMatch(greeting, /AUTH=/);
    const r = await c.login(s.user, s.password);
    assert.match(r.tagged, /^A1 NO \[PRIVACYREQUIRED\]/);
    const a = await c.command(`AUTHENTICATE PLAIN ${plain(s.user, s.password)}`);
    assert.match(a.tagged, /^A2 NO \[PRIVACYREQUIRED\]/);
    c.close();
  });

  test('STARTTLS drops what was pipelined after it, then LOGIN works', async () => {
    const c = await RawClient.connect(s.port);
    await c.line();
    // The NOOP arrives in the same segment as STARTTLS: it must never be executed or answered.
    c.write(`S1 STARTTLS\r\nS2 LOGIN "${s.user}" "${s.password}"\r\n`);
    assert.equal(await c.line(), 'S1 OK Begin TLS negotiation now');
    await c.startTls();
    const caps = await c.command('CAPABILITY');
    assert.match(caps.untagged[0]!, /AUTH=PLAIN/);
    assert.doesNotMatch(caps.untagged[0]!, /STARTTLS|LOGINDISABLED/);
    // Still not authenticated: S2 was discarded.
    const sel = await c.command('SELECT INBOX');
    assert.match(sel.tagged, /BAD/);
    const r = await c.login(s.user, s.password);
    assert.match(r.tagged, /^A\d+ OK \[CAPABILITY [^\]]*IMAP4rev2[^\]]*\] Logged in/);
    const again = await c.command('STARTTLS');
    assert.match(again.tagged, /BAD/);
    c.close();
  });

  test('port 993 speaks TLS from the start and allows AUTHENTICATE', async () => {
    const c = await RawClient.connect(s.tlsPort, { tls: true });
    const greeting = await c.line();
    assert.match(greeting, /AUTH=PLAIN/);
    assert.doesNotMatch(greeting, /STARTTLS/);
    const st = await c.command('STARTTLS');
    assert.match(st.tagged, /BAD TLS is already active/);
    const r = await c.command(`AUTHENTICATE PLAIN ${plain(s.user, s.password)}`);
    assert.match(r.tagged, /OK \[CAPABILITY/);
    c.close();
  });
});

describe('authentication in development mode on loopback', () => {
  let s: ImapTestServer;
  before(async () => (s = await startImapServer()));
  after(() => s.close());

  test('AUTHENTICATE PLAIN with an initial response (SASL-IR) and with a continuation', async () => {
    const c = await RawClient.connect(s.port);
    assert.match(await c.line(), /AUTH=PLAIN/);
    const bad = await c.command(`AUTHENTICATE PLAIN ${plain(s.user, 'wrong password')}`);
    assert.match(bad.tagged, /^A1 NO \[AUTHENTICATIONFAILED\]/);
    c.write('A2 AUTHENTICATE PLAIN\r\n');
    assert.equal(await c.line(), '+ ');
    c.write(`${plain(s.user, s.password)}\r\n`);
    const r = await c.until('A2');
    assert.match(r.tagged, /^A2 OK \[CAPABILITY /);
    const twice = await c.command('LOGIN a b');
    assert.match(twice.tagged, /BAD/);
    c.close();
  });

  test('cancel, bad base64, an unknown mechanism and a foreign authzid', async () => {
    const c = await RawClient.connect(s.port);
    await c.line();
    c.write('A1 AUTHENTICATE PLAIN\r\n');
    assert.equal(await c.line(), '+ ');
    c.write('*\r\n');
    assert.match((await c.until('A1')).tagged, /^A1 BAD/);
    assert.match((await c.command('AUTHENTICATE PLAIN !!!')).tagged, /BAD/);
    assert.match((await c.command('AUTHENTICATE CRAM-MD5')).tagged, /NO \[CANNOT\]/);
    assert.match((await c.command(`AUTHENTICATE PLAIN ${plain(s.user, s.password, 'other@example.test')}`)).tagged, /NO \[AUTHORIZATIONFAILED\]/);
    assert.match((await c.command('AUTHENTICATE PLAIN =')).tagged, /NO/);
    assert.match((await c.login(s.user, s.password)).tagged, /OK/);
    c.close();
  });

  test('LOGIN with literals, and failures go through the shared throttle', async () => {
    const c = await RawClient.connect(s.port);
    await c.line();
    for (let i = 0; i < 3; i++) assert.match((await c.login(s.user, `nope${i}`)).tagged, /NO \[AUTHENTICATIONFAILED\]/);
    const v = s.context.logins.throttle.check('127.0.0.1', loginIdentity(s.user));
    assert.ok(v.allowed && v.delayMs > 0, 'a fourth attempt is delayed');
    c.write(`L1 LOGIN {${s.user.length}}\r\n`);
    assert.match(await c.line(), /^\+ /);
    c.write(`${s.user} {${s.password.length}+}\r\n${s.password}\r\n`);
    const r = await c.until('L1', 10_000);
    assert.match(r.tagged, /^L1 OK/);
    c.close();
  });
});
