import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../log/log.ts';
import { LoginGate, loginIdentity, passwordsAllowed } from './login.ts';
import { AuthThrottle } from './throttle.ts';

test('the throttle counts the identity the way login looks it up', () => {
  const one = loginIdentity('alice@example.test');
  // Case, surrounding space, a trailing dot, a soft hyphen (IDNA maps it away), fullwidth letters
  // and an ideographic full stop in the domain: all the same account.
  for (const spelling of [
    ' Alice@EXAMPLE.test ',
    'alice@example.test.',
    'alice@exam\u00adple.test',
    'alice@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.test',
    'alice@example\u3002test',
  ]) {
    assert.equal(loginIdentity(spelling), one, JSON.stringify(spelling));
  }
  assert.equal(loginIdentity('Admin'), 'admin');
  assert.ok(loginIdentity('x'.repeat(100_000)).length <= 512, 'bounded');
});

test('one path: locked, failed and succeeded, each logged once with its protocol', async () => {
  const lines: Record<string, unknown>[] = [];
  const gate = new LoginGate({
    log: createLogger({ write: (l) => lines.push(JSON.parse(l)) }),
    throttle: new AuthThrottle({ lockLimitAccount: 2, lockLimitAddress: 100, softLimit: 100 }),
  });
  const attempt = (user: string, ok: boolean) =>
    gate.login({ protocol: 'imap', remote: '192.0.2.9', user, mechanism: 'LOGIN', check: () => (ok ? { id: 1 } : null) });
  assert.deepEqual(await attempt('bob@example.test', false), { ok: false, reason: 'failed' });
  assert.deepEqual(await attempt('BOB@example.test.', false), { ok: false, reason: 'failed' });
  const locked = await attempt('bob@ex\u00adample.test', true);
  assert.ok(!locked.ok && locked.reason === 'locked' && locked.scope === 'account', 'the right password does not pass a locked account');
  assert.deepEqual(await attempt('carol@example.test', true), { ok: true, value: { id: 1 } });
  assert.deepEqual(
    lines.map((l) => [l.event, l.protocol, l.user]),
    [
      ['auth.login_failed', 'imap', 'bob@example.test'],
      ['auth.login_failed', 'imap', 'bob@example.test'],
      ['auth.locked', 'imap', 'bob@example.test'],
      ['auth.login', 'imap', 'carol@example.test'],
    ],
  );
  assert.ok(lines.every((l) => !JSON.stringify(l).includes('password')));
});

test('passwords only over TLS, or from loopback in development', () => {
  assert.ok(passwordsAllowed({ secure: true, remoteAddress: '192.0.2.1', dev: false }));
  assert.ok(passwordsAllowed({ secure: false, remoteAddress: '127.0.0.1', dev: true }));
  assert.ok(passwordsAllowed({ secure: false, remoteAddress: '::ffff:127.0.0.1', dev: true }));
  assert.ok(!passwordsAllowed({ secure: false, remoteAddress: '127.0.0.1', dev: false }));
  assert.ok(!passwordsAllowed({ secure: false, remoteAddress: '192.0.2.1', dev: true }));
});
