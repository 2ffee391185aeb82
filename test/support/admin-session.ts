// The setup page's API as a logged-in browser uses it, for servers the tests start themselves
// (test/admin/support.ts has the same for startAdmin's): the setup code from the server's log
// sets the admin password, then every request carries the session cookie; the server's
// self-signed certificate is verified.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import https from 'node:https';

export interface AdminReply {
  status: number;
  json: Record<string, unknown>;
}

export type AdminRequest = (path: string, init?: { body?: string | Buffer; type?: string }) => Promise<AdminReply>;

const DEFAULT_PASSWORD = 'admin password 12';

// node:https with the server's own certificate as the only CA (fetch's default CA list is
// process-wide, and two servers' self-signed certificates share a subject).
export function adminClient(o: { port: number; dataDir: string }): AdminRequest {
  const ca = readFileSync(path.join(o.dataDir, 'tls/cert.pem'), 'utf8');
  let cookie = '';
  return (p, init = {}) =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = cookie ? { Cookie: cookie } : {};
      if (init.body !== undefined) headers['Content-Type'] = init.type ?? 'application/json';
      const req = https.request({ host: '127.0.0.1', port: o.port, path: p, method: init.body === undefined ? 'GET' : 'POST', headers, ca }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          cookie ||= res.headers['set-cookie']?.[0]?.split(';')[0] ?? '';
          resolve({ status: res.statusCode!, json: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') as Record<string, unknown> });
        });
      });
      req.on('error', reject);
      req.end(init.body);
    });
}

// First boot: the admin password set with the setup code from the server's log.
export async function adminSession(o: { port: number; dataDir: string; logLines: string[]; password?: string }): Promise<AdminRequest> {
  const request = adminClient(o);
  const code = o.logLines.map((l) => (l.startsWith('{') ? JSON.parse(l) : {})).find((r) => r.event === 'admin.setup_code')?.code;
  assert.ok(code, 'the setup code is in the log');
  const setup = await request('/api/setup', { body: JSON.stringify({ code, password: o.password ?? DEFAULT_PASSWORD }) });
  assert.equal(setup.status, 200, JSON.stringify(setup.json));
  return request;
}

// A later session: a login with the password.
export async function adminLogin(o: { port: number; dataDir: string; password?: string }): Promise<AdminRequest> {
  const request = adminClient(o);
  const login = await request('/api/login', { body: JSON.stringify({ password: o.password ?? DEFAULT_PASSWORD }) });
  assert.equal(login.status, 200, JSON.stringify(login.json));
  return request;
}

// A long API call as the page runs it (POST /api/start/<method>, then GET /api/job until done).
export async function adminJob(
  request: AdminRequest,
  method: string,
  params: Record<string, unknown>,
): Promise<{ result?: unknown; error?: { code: string; message: string } }> {
  const started = await request(`/api/start/${method}`, { body: JSON.stringify(params) });
  assert.equal(started.status, 200, JSON.stringify(started.json));
  for (let i = 0; i < 1200; i++) {
    const job = await request(`/api/job?id=${started.json.job}`);
    if (job.json.done) return job.json as { result?: unknown; error?: { code: string; message: string } };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${method} did not end`);
}
