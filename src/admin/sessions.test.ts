import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clearedSessionCookie, SessionTable, sessionCookie, sessionToken } from './sessions.ts';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('sessions: idle expiry is refreshed by use; absolute expiry is not', () => {
  const c = clock();
  const s = new SessionTable({ idleMs: 1000, absoluteMs: 5000, now: c.now });
  const token = s.create();
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  for (let i = 0; i < 4; i++) {
    c.advance(900);
    assert.ok(s.touch(token), `used within the idle time (${i})`);
  }
  c.advance(900); // 4500 ms after login, 900 ms idle: still alive
  assert.ok(s.touch(token));
  c.advance(600); // 5100 ms after login
  assert.equal(s.touch(token), false, 'absolute expiry');
  const other = s.create();
  c.advance(1000);
  assert.equal(s.touch(other), false, 'idle expiry');
  assert.equal(s.size, 0);
});

test('sessions: logout, unknown and malformed tokens, the bound on their number', () => {
  const s = new SessionTable({ max: 3 });
  const a = s.create();
  assert.ok(s.touch(a));
  s.delete(a);
  assert.equal(s.touch(a), false);
  assert.equal(s.touch(null), false);
  assert.equal(s.touch('x'.repeat(43)), false);
  assert.equal(s.touch('not a token'), false);
  const [t1, t2, t3] = [s.create(), s.create(), s.create()];
  assert.ok(s.touch(t1)); // t2 is now the least recently used
  const t4 = s.create();
  assert.deepEqual(
    [t1, t2, t3, t4].map((t) => s.touch(t)),
    [true, false, true, true],
  );
});

test('session cookie: attributes, parsing among other cookies', () => {
  assert.equal(sessionCookie('abc'), 'homepost_session=abc; HttpOnly; Secure; SameSite=Strict; Path=/');
  assert.match(clearedSessionCookie(), /^homepost_session=; .*Max-Age=0$/);
  assert.equal(sessionToken('a=1; homepost_session=TOKEN ; b=2'), 'TOKEN');
  assert.equal(sessionToken('homepost_sessionx=1'), null);
  assert.equal(sessionToken(undefined), null);
});
