// The setup page's JSON API (docs/admin.md): session, setup and login of the admin, and the
// methods every client of the API layer shares (src/control: the CLI calls the same ones).
//   GET  /api/session        {adminExists, loggedIn}
//   POST /api/setup          {code, password} -> session cookie (first boot only)
//   POST /api/login          {password} -> session cookie
//   POST /api/logout
//   POST /api/password       {oldPassword, newPassword}: the other sessions end
//   POST /api/call/<method>  params -> {result}
//   GET  /api/system         the device's health (system.ts)
//   GET  /api/mobileconfig?address=A   an account's Apple profile, as a file (src/autoconfig)
//   GET  /api/backup?name=N  a backup of the data folder's backups/, as a file (src/backup)
//   POST /api/start/<method> params -> {job}: a long call run as a job (jobs.ts)
//   GET  /api/job?id=N       the job's progress, and its result or error once done
//   POST /api/update?offset=N[&last=1]  a part of an update file (application/octet-stream); after
//                            the last it is checked and left for the update service (src/update/stage.ts)
// Changes are POSTs with a JSON body (a GET's params are its query), or, for the upload, of a type
// a form cannot send either (a cross-site page would need CORS's consent); everything but
// session, setup and login needs a session.
import { createReadStream, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { backupFolders, backupPath } from '../backup/folder.ts';
import type { Download } from '../api/client-settings.ts';
import { asApiError, callMethod } from '../api/api.ts';
import type { ApiContext, ApiErrorCode } from '../api/method.ts';
import type { AdminAuth } from './auth.ts';
import { mediaType, readJsonObject } from '../http/body.ts';
import { HttpError, sendJson } from '../http/errors.ts';
import { clearedSessionCookie, sessionCookie, sessionToken } from './sessions.ts';
import type { SystemMonitor } from './system.ts';
import { type Jobs, JobLimit } from './jobs.ts';
import { UpdateError } from '../update/format.ts';
import { receiveUploadPart } from '../update/stage.ts';

// API layer errors keep their code and get the matching status.
// RFC 9110 15.5, 15.6: the client's mistake (4xx) or the server's condition (5xx).
const API_STATUS: Record<ApiErrorCode, number> = {
  'bad-request': 400,
  invalid: 400,
  'unknown-method': 404,
  'not-found': 404,
  exists: 409,
  forbidden: 409,
  'over-quota': 409,
  limit: 409,
  full: 503,
  closed: 503,
  'needs-daemon': 503,
  internal: 500,
};

export function apiErrorStatus(code: ApiErrorCode): number {
  return API_STATUS[code] ?? 500;
}

export interface ApiDeps {
  api: ApiContext;
  auth: AdminAuth;
  system: SystemMonitor;
  jobs: Jobs;
}

interface Call {
  remote: string;
  token: string | null;
  loggedIn: boolean;
  body: Record<string, unknown>;
  // Aborted when the client goes away before its answer.
  signal: AbortSignal;
  // The rest of the path after a prefix route.
  rest: string;
  req: IncomingMessage;
  // The upload's params, from the query (its body is the file).
  query: Record<string, string>;
}

interface Reply {
  body: unknown;
  cookie?: string;
  // Sent as a file to save instead of the JSON body.
  file?: Download;
  // A file on disk sent as one to save (streamed: a backup may be larger than memory).
  onDisk?: { path: string; filename: string };
}

interface Route {
  method: 'GET' | 'POST';
  session: boolean;
  // The body is the route's to read (a file), not JSON.
  upload?: true;
  run(d: ApiDeps, c: Call): Reply | Promise<Reply>;
}

const routes: Record<string, Route> = {
  '/api/session': {
    method: 'GET',
    session: false,
    run: (d, c) => ({ body: { adminExists: d.auth.hasAdmin(), loggedIn: c.loggedIn } }),
  },
  '/api/setup': {
    method: 'POST',
    session: false,
    run: async (d, c) => {
      const token = await d.auth.setup(c.remote, c.body.code, c.body.password, c.signal);
      return { body: { loggedIn: true }, cookie: sessionCookie(token) };
    },
  },
  '/api/login': {
    method: 'POST',
    session: false,
    run: async (d, c) => {
      const token = await d.auth.login(c.remote, c.body.password, c.signal);
      return { body: { loggedIn: true }, cookie: sessionCookie(token) };
    },
  },
  '/api/logout': {
    method: 'POST',
    session: true,
    run: (d, c) => {
      d.auth.sessions.delete(c.token);
      return { body: { loggedIn: false }, cookie: clearedSessionCookie() };
    },
  },
  '/api/password': {
    method: 'POST',
    session: true,
    run: async (d, c) => {
      await d.auth.changePassword(c.remote, c.body.oldPassword, c.body.newPassword, c.token, c.signal);
      return { body: { changed: true } };
    },
  },
  '/api/system': {
    method: 'GET',
    session: true,
    run: async (d) => ({ body: await d.system.get() }),
  },
  '/api/mobileconfig': {
    method: 'GET',
    session: true,
    run: async (d, c) => ({ body: null, file: (await call(d, 'client.mobileconfig', c.body)) as Download }),
  },
  '/api/backup': {
    method: 'GET',
    session: true,
    run: (d, c) => {
      const name = typeof c.body.name === 'string' ? c.body.name : '';
      const file = backupPath(backupFolders(d.api.dataDir, d.api.store.settings), name);
      if (!file) throw new HttpError(404, 'not-found', `no backup ${name.slice(0, 80)}`);
      return { body: null, onDisk: { path: file, filename: name } };
    },
  },
  '/api/update': {
    method: 'POST',
    session: true,
    upload: true,
    run: async (d, c) => {
      if (mediaType(c.req) !== 'application/octet-stream')
        throw new HttpError(415, 'unsupported-media-type', 'send the update file as application/octet-stream');
      const offset = Number(c.query.offset ?? NaN);
      if (!Number.isSafeInteger(offset) || offset < 0) throw new HttpError(400, 'bad-request', 'offset: the bytes sent before this part');
      try {
        const r = await receiveUploadPart(d.api.dataDir, c.req, offset, c.query.last === '1');
        if (r.pending) d.api.log.info('update.staged', { version: r.pending.version, arch: r.pending.arch, bytes: r.pending.size });
        return { body: r };
      } catch (e) {
        if (e instanceof UpdateError) throw new HttpError(400, 'refused', e.message);
        throw e;
      }
    },
  },
  '/api/job': {
    method: 'GET',
    session: true,
    run: (d, c) => {
      const job = d.jobs.view(Number(c.body.id));
      if (!job) throw new HttpError(404, 'not-found', 'no such job (finished jobs are kept 10 minutes)');
      return { body: job };
    },
  },
  // Prefixes: the method's name follows.
  '/api/start/': {
    method: 'POST',
    session: true,
    run: (d, c) => {
      try {
        // The error as plain fields: an Error's message does not survive JSON.
        const job = d.jobs.start(
          c.rest,
          (progress) => callMethod({ ...d.api, progress }, c.rest, c.body),
          (e) => {
            const { code, message } = asApiError(e);
            return { code, message };
          },
        );
        return { body: { job } };
      } catch (e) {
        if (e instanceof JobLimit) throw new HttpError(429, 'busy', e.message);
        throw e;
      }
    },
  },
  '/api/call/': {
    method: 'POST',
    session: true,
    run: async (d, c) => ({ body: { result: (await call(d, c.rest, c.body)) ?? null } }),
  },
};

// An API method; its error with the matching status.
async function call(d: ApiDeps, name: string, params: Record<string, unknown>): Promise<unknown> {
  try {
    return await callMethod(d.api, name, params);
  } catch (e) {
    const { code, message } = asApiError(e);
    throw new HttpError(apiErrorStatus(code), code, message);
  }
}

function route(path: string): { route: Route; rest: string } | null {
  if (Object.hasOwn(routes, path) && !path.endsWith('/')) return { route: routes[path], rest: '' };
  for (const prefix of ['/api/call/', '/api/start/']) {
    const name = path.slice(prefix.length);
    if (path.startsWith(prefix) && /^[a-z][a-z0-9.-]{0,63}$/.test(name)) return { route: routes[prefix], rest: name };
  }
  return null;
}

export async function handleApi(d: ApiDeps, path: string, req: IncomingMessage, res: ServerResponse, remote: string, signal: AbortSignal): Promise<void> {
  const found = route(path);
  if (!found) throw new HttpError(404, 'not-found', `no API route ${path.slice(0, 100)}`);
  const { route: r, rest } = found;
  if (req.method !== r.method) throw new HttpError(405, 'method-not-allowed', `use ${r.method}`, { headers: { Allow: r.method } });
  const token = sessionToken(req.headers.cookie);
  const loggedIn = d.auth.sessions.touch(token);
  if (r.session && !loggedIn) {
    throw d.auth.hasAdmin()
      ? new HttpError(401, 'login-required', 'log in first')
      : new HttpError(401, 'setup-required', 'set the admin password with the setup code first');
  }
  const query = Object.fromEntries(new URL(req.url ?? '/', 'http://host').searchParams);
  const body = r.method === 'GET' ? query : r.upload ? {} : await readJsonObject(req);
  const reply = await r.run(d, { remote, token, loggedIn, body, signal, rest, req, query });
  if (reply.file) sendFile(res, reply.file);
  else if (reply.onDisk) await sendFromDisk(res, reply.onDisk.path, reply.onDisk.filename);
  else sendJson(res, 200, reply.body, reply.cookie ? { 'Set-Cookie': reply.cookie } : {});
}

// RFC 6266: saved under its file name, not shown.
function sendFile(res: ServerResponse, f: Download): void {
  const data = Buffer.from(f.content);
  res.writeHead(200, { 'Content-Type': f.contentType, 'Content-Disposition': `attachment; filename="${f.filename}"`, 'Content-Length': String(data.length) });
  res.end(data);
}

async function sendFromDisk(res: ServerResponse, file: string, filename: string): Promise<void> {
  const size = statSync(file).size;
  res.writeHead(200, {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `attachment; filename="${filename}"`,
    'Content-Length': String(size),
  });
  try {
    await pipeline(createReadStream(file, { end: size - 1 }), res);
  } catch (e) {
    // The browser gave up the download: nothing to report.
    if ((e as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw e;
  }
}
