// The setup page's HTTP side against `homepost serve`, with curl, fetch and openssl: the redirect to
// HTTPS under this device's own name, TLS 1.2 with AEAD suites only, connection slots a silent
// client cannot keep, first boot with the setup code from the log, login and logout, the cookie,
// and every refusal (each followed by a request that works: the server and the store survive them).
// Failed attempts count in the shared throttle (3 are free, then each waits): this file makes two.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runCli } from '../cli/run-cli.ts';
import { checkAeadOnly } from '../support/openssl.ts';
import type { SystemInfo } from '../../src/admin/system.ts';
import { api, cookieOf, curl, startAdmin, type AdminServer, type Reply } from './support.ts';

// The body of a refused call.
type Refusal = { error: { code: string } };
const errorCode = (r: Reply) => (r.json as Refusal).error.code;

const PASSWORD = 'admin password 1';

describe('setup page over HTTP(S)', () => {
  let server: AdminServer;
  let cookie = '';
  before(async () => {
    server = await startAdmin();
  });
  after(async () => {
    if (server) await server.stop();
  });

  test('plain HTTP answers every request with a 308 to the HTTPS port, under a name of this device', async () => {
    const http = `http://127.0.0.1:${server.ports.http}`;
    const get = await curl(server, ['-H', 'Host: MAIL.example.test:8080', `${http}/api/session?x=1`]);
    assert.equal(get.status, 308);
    assert.equal(get.headers.location, `https://mail.example.test:${server.ports.https}/api/session?x=1`);
    // Any other name goes to the configured host name, never where the Host header points (RFC
    // 9110 7.2, 15.4.9); an address of this machine is kept (the test runs on 127.0.0.1).
    for (const host of ['evil.example', 'homepost.local', '198.51.100.7:80', 'mail.example.test.evil.example']) {
      const r = await curl(server, ['-H', `Host: ${host}`, `${http}/login`]);
      assert.deepEqual([r.status, r.headers.location], [308, `https://mail.example.test:${server.ports.https}/login`], host);
    }
    const post = await curl(server, ['-H', 'Content-Type: application/json', '-d', '{}', `${http}/api/login`]);
    assert.equal(post.status, 308);
    assert.equal(post.headers.location, `https://127.0.0.1:${server.ports.https}/api/login`);
    assert.equal(post.body, '');
    // curl follows it to the page.
    const followed = await curl(server, ['-L', `${http}/`]);
    assert.equal(followed.status, 308);
    assert.match(followed.body, /^HTTP\/1\.1 200 OK\r\n/);
  });

  test('HTTPS: TLS 1.2 with ECDHE and AEAD suites only (RFC 9325 4.2)', async () => {
    await checkAeadOnly(server.ports.https);
  });

  test('64 connections from one address that never start TLS: another address still gets the page', async () => {
    // Each connection watches for its close from the start (the refused ones close at once).
    const stalled = await Promise.all(
      Array.from(
        { length: 64 },
        () =>
          new Promise<{ socket: net.Socket; closed: Promise<void> }>((resolve, reject) => {
            const socket = net.connect({ port: server.ports.https, host: '127.0.0.1', localAddress: '127.0.0.2' });
            const closed = new Promise<void>((r) => socket.once('close', () => r()));
            socket.on('error', () => {}).resume();
            socket.once('connect', () => resolve({ socket, closed })).once('error', reject);
          }),
      ),
    );
    try {
      const page = await curl(server, ['--max-time', '5', `${server.base}/`]);
      assert.equal(page.status, 200);
      // The ones the server holds give their slots back after its short handshake deadline.
      const deadline = new Promise<'late'>((r) => setTimeout(() => r('late'), 15_000).unref());
      assert.equal(await Promise.race([Promise.all(stalled.map((s) => s.closed)).then(() => 'closed'), deadline]), 'closed');
    } finally {
      for (const s of stalled) s.socket.destroy();
    }
  });

  test('before setup the session says so, and every API call but setup and session is 401', async () => {
    const s = await api(server, '/api/session');
    assert.deepEqual([s.status, s.json], [200, { adminExists: false, loggedIn: false }]);
    const refused = await Promise.all([
      api(server, '/api/login', { body: { password: 'whatever it is' } }),
      api(server, '/api/logout', { body: {} }),
      api(server, '/api/call/status', { body: {} }),
      api(server, '/api/call/user.add', { body: { address: 'x@example.test', password: 'some password' } }),
      api(server, '/api/system'),
    ]);
    for (const r of refused) assert.deepEqual([r.status, errorCode(r)], [401, 'setup-required']);
    const users = await api(server, '/api/call/user.list', { body: {} });
    assert.equal(users.status, 401);
  });

  test('the setup code is logged once, as a warning, with the page address', () => {
    const [line] = server.logRecords().filter((r) => r.event === 'admin.setup_code');
    assert.equal(line.level, 'warn');
    assert.match(server.setupCode(), /^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    assert.deepEqual(line.urls, [`${server.base}/`]);
  });

  test('a wrong setup code is 403; a short admin password is 400 and spends no attempt', async () => {
    const wrong = await api(server, '/api/setup', { body: { code: 'AAAA-BBBB-CCCC', password: PASSWORD } });
    assert.deepEqual([wrong.status, errorCode(wrong)], [403, 'bad-code']);
    assert.equal(wrong.headers.get('set-cookie'), null);
    const short = await api(server, '/api/setup', { body: { code: server.setupCode(), password: 'short' } });
    assert.deepEqual([short.status, errorCode(short)], [400, 'weak-password']);
    const missing = await api(server, '/api/setup', { body: { password: PASSWORD } });
    assert.equal(missing.status, 400);
    assert.deepEqual((await api(server, '/api/session')).json, { adminExists: false, loggedIn: false });
  });

  test('setup with the code from the log (as typed: any case, no dashes) works once and logs in', async () => {
    const typed = server.setupCode().replaceAll('-', ' ').toLowerCase();
    const jar = path.join(server.dataDir, 'cookies.txt');
    const r = await curl(server, [
      '-c',
      jar,
      '-H',
      'Content-Type: application/json',
      '-d',
      JSON.stringify({ code: typed, password: PASSWORD }),
      `${server.base}/api/setup`,
    ]);
    assert.equal(r.status, 200, r.body);
    assert.deepEqual(JSON.parse(r.body), { loggedIn: true });
    const parts = r.headers['set-cookie'].split('; ');
    assert.match(parts[0], /^homepost_session=[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(parts.slice(1).sort(), ['HttpOnly', 'Path=/', 'SameSite=Strict', 'Secure']);
    cookie = parts[0];
    // The cookie jar curl kept works for the API.
    const status = await curl(server, ['-b', jar, '-H', 'Content-Type: application/json', '-d', '{}', `${server.base}/api/call/status`]);
    assert.equal(status.status, 200, status.body);
    assert.equal(JSON.parse(status.body).result.daemon.pid, server.child.pid);
    // The code is void now.
    const again = await api(server, '/api/setup', { body: { code: server.setupCode(), password: 'another password 2' } });
    assert.deepEqual([again.status, errorCode(again)], [409, 'setup-done']);
    assert.deepEqual((await api(server, '/api/session', { cookie })).json, { adminExists: true, loggedIn: true });
    assert.deepEqual((await api(server, '/api/session')).json, { adminExists: true, loggedIn: false });
  });

  test('login and logout: a wrong password is 401; logout ends the session', async () => {
    const wrong = await api(server, '/api/login', { body: { password: 'not the password' } });
    assert.deepEqual([wrong.status, errorCode(wrong)], [401, 'bad-password']);
    const login = await api(server, '/api/login', { body: { password: PASSWORD } });
    assert.equal(login.status, 200);
    const second = cookieOf(login);
    assert.notEqual(second, cookie, 'a new session per login');
    assert.equal((await api(server, '/api/call/user.list', { body: {}, cookie: second })).status, 200);
    const out = await api(server, '/api/logout', { body: {}, cookie: second });
    assert.equal(out.status, 200);
    assert.match(out.headers.get('set-cookie')!, /^homepost_session=; .*Max-Age=0/);
    const after = await api(server, '/api/call/user.list', { body: {}, cookie: second });
    assert.deepEqual([after.status, errorCode(after)], [401, 'login-required']);
    // The first session is another one, still alive.
    assert.equal((await api(server, '/api/call/user.list', { body: {}, cookie })).status, 200);
  });

  test('refusals: cross-origin 403, wrong content type 415, too large 413, bad JSON 400, unknown method 404', async () => {
    const works = async () => assert.equal((await api(server, '/api/call/status', { body: {}, cookie })).status, 200);
    const code = (r: Reply) => [r.status, errorCode(r)];

    const foreign = await api(server, '/api/call/domain.add', { body: { domain: 'evil.test' }, cookie, headers: { Origin: 'https://evil.example' } });
    assert.deepEqual(code(foreign), [403, 'cross-origin']);
    const sameOrigin = await api(server, '/api/call/status', { body: {}, cookie, headers: { Origin: server.base } });
    assert.equal(sameOrigin.status, 200);
    await works();

    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const r = await api(server, '/api/call/status', { body: '{}', cookie, headers: { 'Content-Type': type } });
      assert.deepEqual(code(r), [415, 'unsupported-media-type'], type);
    }
    await works();

    const big = path.join(server.dataDir, 'big.json');
    writeFileSync(big, JSON.stringify({ domain: 'x'.repeat(70_000) }));
    const tooLarge = await curl(server, [
      '-b',
      cookie,
      '-H',
      'Content-Type: application/json',
      '--data-binary',
      `@${big}`,
      `${server.base}/api/call/domain.add`,
    ]);
    assert.equal(tooLarge.status, 413);
    assert.equal(JSON.parse(tooLarge.body).error.code, 'too-large');
    const chunked = await curl(server, [
      '-b',
      cookie,
      '-H',
      'Content-Type: application/json',
      '-H',
      'Transfer-Encoding: chunked',
      '--data-binary',
      `@${big}`,
      `${server.base}/api/call/domain.add`,
    ]);
    assert.equal(chunked.status, 413);
    await works();

    assert.deepEqual(code(await api(server, '/api/call/status', { body: '{"a":', cookie })), [400, 'bad-json']);
    assert.deepEqual(code(await api(server, '/api/call/status', { body: '[1,2]', cookie })), [400, 'bad-request']);
    assert.deepEqual(code(await api(server, '/api/call/no.such', { body: {}, cookie })), [404, 'unknown-method']);
    assert.deepEqual(code(await api(server, '/api/nothing', { cookie })), [404, 'not-found']);
    const get = await api(server, '/api/call/status', { cookie });
    assert.deepEqual(code(get), [405, 'method-not-allowed']);
    assert.equal(get.headers.get('allow'), 'POST');
    assert.deepEqual(code(await api(server, '/api/call/user.add', { body: { address: 7 }, cookie })), [400, 'bad-request']);
    await works();
  });

  test('API layer errors keep their codes: invalid 400, exists 409, not-found 404', async () => {
    const call = <T = unknown>(method: string, body: unknown) => api<T>(server, `/api/call/${method}`, { body, cookie });
    assert.deepEqual((await call<{ result: { name: string } }>('domain.add', { domain: 'admin.test' })).json.result.name, 'admin.test');
    const invalid = await call('domain.add', { domain: 'not a domain!' });
    assert.deepEqual([invalid.status, errorCode(invalid)], [400, 'invalid']);
    const exists = await call('domain.add', { domain: 'admin.test' });
    assert.deepEqual([exists.status, errorCode(exists)], [409, 'exists']);
    const missing = await call('user.del', { address: 'nobody@admin.test' });
    assert.deepEqual([missing.status, errorCode(missing)], [404, 'not-found']);
    const users = await call<{ result: { address: string }[] }>('user.list', {});
    assert.deepEqual(
      users.json.result.map((u) => u.address),
      ['dev@example.test'],
    );
  });

  test('GET /api/system: temperature, load, memory, data disk, uptime, OS', async () => {
    const r = await api<SystemInfo>(server, '/api/system', { cookie });
    assert.equal(r.status, 200);
    const s = r.json;
    assert.ok(s.memory!.total > 0 && s.memory!.available > 0);
    assert.equal(s.disk!.path, server.dataDir);
    assert.ok(s.disk!.total >= s.disk!.available && s.disk!.available > 0);
    assert.ok(s.uptimeSeconds > 0);
    assert.equal(typeof s.os!.kernel, 'string');
    assert.ok(s.cpu.cores >= 1 && s.cpu.loadAverage.length === 3);
    assert.ok(s.cpu.temperatureC === null || typeof s.cpu.temperatureC === 'number');
    assert.ok(s.process.rss > 0);
  });

  test('a long call as a job: started, its progress and result read by id; a failure is its error; unknown ids 404', async () => {
    const started = await api<{ job: number }>(server, '/api/start/backup', { cookie, body: {} });
    assert.equal(started.status, 200);
    type State = { done: boolean; progress: { what: string; done: number; total: number } | null; result?: { file: string }; error?: { code: string } };
    const finished = async (id: number) => {
      for (let i = 0; i < 200; i++) {
        const r = await api<State>(server, `/api/job?id=${id}`, { cookie });
        assert.equal(r.status, 200);
        if (r.json.done) return r.json;
        await new Promise((res) => setTimeout(res, 50));
      }
      throw new Error(`job ${id} did not end`);
    };
    const state = await finished(started.json.job);
    assert.match(state.result!.file, /backups\/homepost-backup-\d{8}-\d{6}(-\d+)?\.tar$/);
    assert.equal(state.progress!.what, 'bytes');
    assert.equal(state.progress!.done, state.progress!.total);
    const failing = await api<{ job: number }>(server, '/api/start/user.add', { cookie, body: { address: 'not an address' } });
    const failure = (await finished(failing.json.job)).error as { code: string; message: string };
    assert.equal(failure.code, 'bad-request');
    assert.equal(failure.message, 'password is required', 'the message reaches the page, not only the code');
    assert.equal((await api(server, '/api/job?id=999999', { cookie })).status, 404);
    assert.equal((await api(server, `/api/job?id=${started.json.job}`)).status, 401);
    assert.equal((await api(server, '/api/start/Not-A-Method!', { cookie, body: {} })).status, 404);
  });

  test('pages and API answers carry the security headers; pages revalidate with their ETag', async () => {
    const page = await curl(server, [`${server.base}/`]);
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(page.body, /<script type="module" src="\/app.js"><\/script>/);
    for (const h of [page.headers, (await curl(server, [`${server.base}/api/session`])).headers]) {
      assert.equal(h['content-security-policy'], "default-src 'self'; frame-ancestors 'none'");
      assert.equal(h['x-content-type-options'], 'nosniff');
      assert.equal(h['referrer-policy'], 'no-referrer');
    }
    assert.equal((await curl(server, [`${server.base}/api/session`])).headers['cache-control'], 'no-store');
    const js = await curl(server, [`${server.base}/app.js`]);
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.ok(js.body.length > 1000);
    const cached = await curl(server, ['-H', `If-None-Match: ${js.headers.etag}`, `${server.base}/app.js`]);
    assert.equal(cached.status, 304);
    assert.equal((await curl(server, [`${server.base}/app.css`])).headers['content-type'], 'text/css; charset=utf-8');
    assert.equal((await curl(server, [`${server.base}/nothing-here`])).status, 404);
    assert.equal((await curl(server, ['-X', 'DELETE', `${server.base}/`])).status, 405);
  });

  test('the log: the code only in its own line; no password or cookie; failures at info', () => {
    const code = server.setupCode();
    const token = cookie.split('=')[1];
    const text = server.lines.join('\n');
    assert.equal(text.split(code).length - 1, 1, 'the setup code appears once');
    assert.ok(!text.includes(code.replaceAll('-', '')), 'not in other spellings either');
    assert.ok(!text.includes(PASSWORD) && !text.includes(token));
    const records = server.logRecords();
    assert.ok(
      records.some(
        (r) => r.event === 'auth.login_failed' && r.protocol === 'admin' && r.mechanism === 'password' && r.level === 'info' && r.remote === '127.0.0.1',
      ),
    );
    assert.ok(records.some((r) => r.event === 'auth.login_failed' && r.protocol === 'admin' && r.mechanism === 'setup-code' && r.level === 'info'));
  });

  test('after a restart: no new setup code, sessions are gone, the password still logs in', async () => {
    await server.stop({ keep: true });
    const dataDir = server.dataDir;
    server = await startAdmin({ dataDir });
    assert.ok(!server.logRecords().some((r) => r.event === 'admin.setup_code'));
    assert.deepEqual((await api(server, '/api/session', { cookie })).json, { adminExists: true, loggedIn: false });
    const login = await api(server, '/api/login', { body: { password: PASSWORD } });
    assert.equal(login.status, 200);
    assert.equal((await api(server, '/api/call/status', { body: {}, cookie: cookieOf(login) })).status, 200);
    cookie = cookieOf(login);
  });

  test('homepost admin reset-password: sessions end, a new setup code is shown and works; offline, the next start shows one', async () => {
    const codes = () =>
      server
        .logRecords()
        .filter((r) => r.event === 'admin.setup_code')
        .map((r) => r.code as string);
    assert.deepEqual(codes(), []);
    const reset = await runCli(['admin', 'reset-password', '--data', server.dataDir]);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stdout, /new setup code: it is on the console and in the log/);
    assert.equal((await api(server, '/api/call/status', { body: {}, cookie })).status, 401, 'the session ended');
    assert.deepEqual((await api(server, '/api/session')).json, { adminExists: false, loggedIn: false });
    assert.equal((await api(server, '/api/login', { body: { password: PASSWORD } })).status, 401, 'the old password is gone');
    assert.equal(codes().length, 1, 'a new setup code is logged at once');
    const setup = await api(server, '/api/setup', { body: { code: codes()[0], password: 'admin password 2' } });
    assert.equal(setup.status, 200);
    assert.equal((await api(server, '/api/call/status', { body: {}, cookie: cookieOf(setup) })).status, 200);

    await server.stop({ keep: true });
    const offline = await runCli(['admin', 'reset-password', '--data', server.dataDir]);
    assert.equal(offline.code, 0, offline.stderr);
    assert.match(offline.stdout, /The next start of homepost serve shows a new setup code/);
    server = await startAdmin({ dataDir: server.dataDir });
    assert.equal(codes().length, 1, 'the start after an offline reset shows a setup code');
    assert.deepEqual((await api(server, '/api/session')).json, { adminExists: false, loggedIn: false });
  });
});
