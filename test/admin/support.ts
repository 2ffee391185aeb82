// The setup page under test: `homepost serve` as a child process (its log carries the setup
// code), clients that verify its self-signed certificate (curl --cacert; fetch through the
// process's default CA list), and a stop that checks the store.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { Store } from '../../src/store/index.ts';
import { startServeChild, type ServeChild } from '../support/serve-child.ts';
import { tempDir } from '../support/temp-store.ts';

const SYSTEM_CAS = tls.getCACertificates('default');

export interface AdminServer extends ServeChild {
  dataDir: string;
  base: string; // https://127.0.0.1:PORT
  certFile: string;
  logRecords(): { event: string; level: string; [k: string]: unknown }[];
  setupCode(): string;
  // SIGTERM; exits 0; the store is consistent. Keeps the data folder when keep is set.
  stop(o?: { keep?: boolean }): Promise<void>;
}

export async function startAdmin(o: { dataDir?: string; args?: string[] } = {}): Promise<AdminServer> {
  const dataDir = o.dataDir ?? tempDir('homepost-admin-');
  const child = await startServeChild({ dataDir, args: ['--dev', ...(o.args ?? [])] });
  const certFile = `${dataDir}/tls/cert.pem`;
  // fetch (undici) verifies against the default CA list; the server's certificate names 127.0.0.1.
  // Only the current one: an earlier self-signed certificate of the same subject (made before a
  // domain was added) would be found first and fail the check.
  tls.setDefaultCACertificates([...SYSTEM_CAS, readFileSync(certFile, 'utf8')]);
  const logRecords = () => child.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  return {
    ...child,
    dataDir,
    base: `https://127.0.0.1:${child.ports.https}`,
    certFile,
    logRecords,
    setupCode() {
      const lines = logRecords().filter((r) => r.event === 'admin.setup_code');
      assert.equal(lines.length, 1, 'one admin.setup_code line');
      return lines[0].code as string;
    },
    async stop(s = {}) {
      child.child.kill('SIGTERM');
      assert.deepEqual(await child.exited, { code: 0, signal: null });
      const store = await Store.open(dataDir);
      try {
        assert.deepEqual(store.checkConsistency(), []);
      } finally {
        await store.close();
      }
      if (!s.keep) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// json: the parsed body, of the shape the caller expects (T); null when there is none.
export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  json: T;
}

// fetch with a JSON body (when given) and the session cookie (when given).
export async function api<T = unknown>(
  server: AdminServer,
  path: string,
  o: { body?: unknown; cookie?: string; headers?: Record<string, string>; method?: string } = {},
): Promise<Reply<T>> {
  const headers: Record<string, string> = { ...(o.body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...o.headers };
  if (o.cookie) headers.Cookie = o.cookie;
  const res = await fetch(server.base + path, {
    method: o.method ?? (o.body !== undefined ? 'POST' : 'GET'),
    headers,
    body: o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: (text ? JSON.parse(text) : null) as T };
}

// "homepost_session=TOKEN" from a Set-Cookie header.
export function cookieOf(reply: Reply): string {
  const set = reply.headers.get('set-cookie');
  assert.ok(set, 'a Set-Cookie header');
  return set.split(';')[0];
}

export interface CurlReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const run = promisify(execFile);

// curl verifying the server's certificate; -i output split into status, headers and body.
export async function curl(server: AdminServer, args: string[]): Promise<CurlReply> {
  const { stdout } = await run('curl', ['-sS', '-i', '--cacert', server.certFile, '--max-time', '20', ...args], { maxBuffer: 4 << 20 });
  const end = stdout.indexOf('\r\n\r\n');
  const [statusLine, ...fields] = stdout.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const f of fields) {
    const i = f.indexOf(':');
    headers[f.slice(0, i).toLowerCase()] = f.slice(i + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: stdout.slice(end + 4) };
}
