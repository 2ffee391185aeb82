// Guessing the setup code: failures count in the throttle every protocol shares (user "admin");
// after ten from one address it refuses with 429 and Retry-After, even the right code, while the
// rest of the page keeps answering. A server of its own: the lock lasts 15 minutes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { api, curl, startAdmin } from './support.ts';

test('repeated wrong setup codes are throttled (429 + Retry-After); the server survives', async () => {
  const server = await startAdmin();
  try {
    const guess = (i: number) => api(server, '/api/setup', { body: { code: `WRONG-CODE-${i}`, password: 'admin password 1' } });
    // Sent together: ten are checked (attempts in flight count towards the lock), the rest refused.
    const first = await Promise.all(Array.from({ length: 12 }, (_, i) => guess(i)));
    const statuses = first.map((r) => r.status);
    assert.ok(
      statuses.every((s) => s === 403 || s === 429),
      String(statuses),
    );
    assert.ok(statuses.filter((s) => s === 403).length >= 10, String(statuses));

    const locked = await curl(server, [
      '-H',
      'Content-Type: application/json',
      '-d',
      JSON.stringify({ code: server.setupCode(), password: 'admin password 1' }),
      `${server.base}/api/setup`,
    ]);
    assert.equal(locked.status, 429, 'the right code too, while locked');
    assert.equal(JSON.parse(locked.body).error.code, 'throttled');
    const retryAfter = Number(locked.headers['retry-after']);
    assert.ok(retryAfter > 60 && retryAfter <= 15 * 60, `Retry-After ${locked.headers['retry-after']}`);

    // The page and the API's open routes still answer; setup is still to be done.
    assert.deepEqual((await api(server, '/api/session')).json, { adminExists: false, loggedIn: false });
    assert.equal((await curl(server, [`${server.base}/`])).status, 200);
    const records = server.logRecords();
    assert.ok(records.filter((r) => r.event === 'auth.login_failed' && r.protocol === 'admin').length >= 10);
    assert.ok(records.some((r) => r.event === 'auth.locked' && r.protocol === 'admin' && r.scope === 'address'));
  } finally {
    await server.stop();
  }
});
