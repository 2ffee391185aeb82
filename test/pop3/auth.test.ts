// Logging in: USER/PASS, AUTH PLAIN in both forms (RFC 5034), the response codes of RFC 2449 and
// RFC 3206, and the shared throttle.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AuthThrottle } from '../../src/auth/throttle.ts';
import { LineClient, pop3Fixture, type Pop3Fixture } from './helpers.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('authentication', () => {
  let f: Pop3Fixture;
  before(async () => {
    f = await pop3Fixture();
    await f.deliver('Subject: x\r\n\r\nx\r\n');
  });
  after(() => f.close());

  async function connect(): Promise<LineClient> {
    const c = await LineClient.connect(f.port);
    assert.match((await c.line())!, /^\+OK homepost POP3 ready <\d+\.[0-9a-f]+@mail\.example\.test>$/);
    return c;
  }

  it('USER and PASS: a wrong password gets [AUTH] and the session goes on', async () => {
    const c = await connect();
    assert.equal(await c.command('PASS x'), '-ERR USER first');
    assert.equal(await c.command(`USER ${f.user}`), '+OK send PASS');
    assert.equal(await c.command('PASS wrong password'), '-ERR [AUTH] authentication failed');
    // A failed PASS forgets the USER.
    assert.equal(await c.command(`PASS ${f.password}`), '-ERR USER first');
    assert.equal(await c.command('USER nobody@example.test'), '+OK send PASS');
    assert.equal(await c.command(`PASS ${f.password}`), '-ERR [AUTH] authentication failed');
    assert.equal(await c.command(`USER ${f.user.toUpperCase()}`), '+OK send PASS');
    // The password is the rest of the line, spaces included.
    assert.equal(await c.command(`PASS ${f.password}`), `+OK ${f.user} has 1 message`);
    assert.equal(await c.command('QUIT'), '+OK bye, 0 deleted');
  });

  it('AUTH PLAIN with an initial response', async () => {
    const c = await connect();
    assert.equal(await c.command(`AUTH PLAIN ${b64(`\0${f.user}\0${f.password}`)}`), `+OK ${f.user} has 1 message`);
    assert.equal(await c.command('QUIT'), '+OK bye, 0 deleted');
  });

  it('AUTH PLAIN with a continuation, and an authzid equal to the user', async () => {
    const c = await connect();
    assert.equal(await c.command('auth plain'), '+ ');
    assert.equal(await c.command(b64(`${f.user}\0${f.user}\0${f.password}`)), `+OK ${f.user} has 1 message`);
    assert.equal(await c.command('QUIT'), '+OK bye, 0 deleted');
  });

  it('AUTH PLAIN failures: cancel, bad base64, bad credentials, another authzid, other mechanisms', async () => {
    const c = await connect();
    assert.equal(await c.command('AUTH PLAIN'), '+ ');
    assert.equal(await c.command('*'), '-ERR authentication cancelled');
    assert.equal(await c.command('AUTH PLAIN'), '+ ');
    assert.equal(await c.command('not base64!'), '-ERR invalid base64');
    assert.equal(await c.command(`AUTH PLAIN ${b64('no nul here')}`), '-ERR [AUTH] malformed PLAIN credentials');
    assert.equal(await c.command('AUTH PLAIN ='), '-ERR [AUTH] malformed PLAIN credentials');
    assert.equal(await c.command(`AUTH PLAIN ${b64(`\0${f.user}\0wrong`)}`), '-ERR [AUTH] authentication failed');
    assert.equal(await c.command(`AUTH PLAIN ${b64(`admin@example.test\0${f.user}\0${f.password}`)}`), '-ERR [AUTH] authentication failed');
    assert.equal(await c.command('AUTH CRAM-MD5'), '-ERR unsupported mechanism CRAM-MD5');
    assert.equal(await c.command('AUTH'), '-ERR expected 1 to 2 arguments');
    assert.equal(await c.command('AUTH PLAIN a b'), '-ERR expected 1 to 2 arguments');
    // Still in AUTHORIZATION, and able to log in.
    assert.equal(await c.command(`AUTH PLAIN ${b64(`\0${f.user}\0${f.password}`)}`), `+OK ${f.user} has 1 message`);
    assert.equal(await c.command('QUIT'), '+OK bye, 0 deleted');
  });

  it('APOP needs a well-formed digest', async () => {
    const c = await connect();
    assert.equal(await c.command(`APOP ${f.user}`), '-ERR expected 2 arguments');
    assert.equal(await c.command(`APOP ${f.user} xyz`), '-ERR the digest is 32 hexadecimal digits');
    assert.equal(await c.command(`APOP ${f.user} ${'0'.repeat(32)}`), '-ERR [AUTH] authentication failed');
    c.close();
  });
});

describe('the shared throttle', () => {
  let f: Pop3Fixture;
  before(async () => (f = await pop3Fixture()));
  after(() => f.close());

  it('repeated failures meet [LOGIN-DELAY], even with the right password', async () => {
    // A throttle that locks fast (the server's default waits seconds between attempts).
    f.server.context.logins.throttle = new AuthThrottle({ softLimit: 1, baseDelayMs: 1, lockLimitAddress: 4 });
    const c = await LineClient.connect(f.port);
    await c.line();
    const replies: string[] = [];
    for (let i = 0; i < 4; i++) replies.push((await c.command(`AUTH PLAIN ${b64(`\0${f.user}\0wrong ${i}`)}`))!);
    assert.deepEqual(replies, Array(4).fill('-ERR [AUTH] authentication failed'));
    assert.equal(await c.command(`USER ${f.user}`), '+OK send PASS');
    assert.equal(await c.command(`PASS ${f.password}`), '-ERR [LOGIN-DELAY] too many failed logins; try again later');
    assert.equal(await c.command(`AUTH PLAIN ${b64(`\0${f.user}\0${f.password}`)}`), '-ERR [LOGIN-DELAY] too many failed logins; try again later');
    // The session survives and still answers.
    assert.equal(await c.command('QUIT'), '+OK bye');
  });
});
