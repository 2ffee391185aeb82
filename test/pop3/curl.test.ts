// curl's pop3:// and pop3s:// URLs: LIST, RETR by number, DELE, over AUTH PLAIN (both forms),
// APOP and implicit TLS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pop3Fixture, run, type Pop3Fixture } from './helpers.ts';

const ONE = 'From: a@example.org\r\nSubject: one\r\n\r\nfirst\r\n';
const TWO = 'From: a@example.org\r\nSubject: two\r\n\r\n.second, with a dot\r\n..and two\r\n';

describe('curl', () => {
  let f: Pop3Fixture;
  let auth: string;
  before(async () => {
    f = await pop3Fixture();
    await f.deliver(ONE);
    await f.deliver(TWO);
    auth = `${f.user}:${f.password}`;
  });
  after(() => f.close());

  const curl = async (...args: string[]) => {
    const r = await run('curl', ['-sS', ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  it('lists the maildrop (AUTH PLAIN with a continuation)', async () => {
    assert.equal(await curl(`pop3://127.0.0.1:${f.port}/`, '-u', auth), `1 ${ONE.length}\r\n2 ${TWO.length}\r\n`);
  });

  it('retrieves a message byte for byte (AUTH PLAIN with an initial response)', async () => {
    assert.equal(await curl(`pop3://127.0.0.1:${f.port}/2`, '-u', auth, '--sasl-ir'), TWO);
  });

  it('logs in with APOP', async () => {
    await f.server.context.store.accounts.setPopSecret(f.user, 'pop secret 42');
    assert.equal(await curl(`pop3://127.0.0.1:${f.port}/1`, '-u', `${f.user}:pop secret 42`, '--login-options', 'AUTH=+APOP'), ONE);
    const wrong = await run('curl', ['-sS', `pop3://127.0.0.1:${f.port}/1`, '-u', auth, '--login-options', 'AUTH=+APOP']);
    assert.equal(wrong.code, 67); // CURLE_LOGIN_DENIED
  });

  it('pop3s:// with implicit TLS', async () => {
    assert.equal(await curl('-k', `pop3s://127.0.0.1:${f.tlsPort}/1`, '-u', auth), ONE);
  });

  it('deletes with -X DELE', async () => {
    const [first] = f.uids();
    await curl(`pop3://127.0.0.1:${f.port}/1`, '-u', auth, '-X', 'DELE', '-I');
    assert.ok(!f.uids().includes(first));
    assert.equal(await curl(`pop3://127.0.0.1:${f.port}/`, '-u', auth), `1 ${TWO.length}\r\n`);
  });

  it('a wrong password is a login failure', async () => {
    const r = await run('curl', ['-sS', `pop3://127.0.0.1:${f.port}/`, '-u', `${f.user}:wrong password`]);
    assert.equal(r.code, 67);
  });
});
