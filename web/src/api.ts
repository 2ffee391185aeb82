// The setup page's side of the JSON API (src/admin/api.ts, docs/admin.md). Every failure is an
// ApiFailure with the server's code and message, shown inline by the view that asked.

export interface SessionState {
  adminExists: boolean;
  loggedIn: boolean;
}

export class ApiFailure extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

// Told when the server says the session is over (expired, or the server restarted).
let onSessionEnded: () => void = () => {};
export function whenSessionEnds(fn: () => void): void {
  onSessionEnded = fn;
}

// timeoutMs: for a quick question, how long before no answer counts as a failure to connect.
function request<T>(path: string, body?: unknown, timeoutMs?: number): Promise<T> {
  const init: RequestInit = body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
  if (timeoutMs) init.signal = AbortSignal.timeout(timeoutMs);
  return send<T>(path, init);
}

async function send<T>(path: string, init: RequestInit): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, credentials: 'same-origin' });
  } catch {
    throw new ApiFailure(0, 'network', 'homepost does not answer (is it running?)');
  }
  const data = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  if (!res.ok) {
    const failure = new ApiFailure(res.status, data?.error?.code ?? 'http', data?.error?.message ?? `HTTP ${res.status}`);
    if (res.status === 401 && failure.code === 'login-required') onSessionEnded();
    throw failure;
  }
  return data as T;
}

// As the server requires (src/admin/auth.ts).
export const MIN_ADMIN_PASSWORD = 10;

export const getSession = () => request<SessionState>('/api/session', undefined, 10_000);
export const setup = (code: string, password: string) => request<SessionState>('/api/setup', { code, password });
export const login = (password: string) => request<SessionState>('/api/login', { password });
export const changePassword = (oldPassword: string, newPassword: string) => request<{ changed: boolean }>('/api/password', { oldPassword, newPassword });
export const logout = () => request<SessionState>('/api/logout', {});
export const getSystem = () => request<import('../../src/admin/system.ts').SystemInfo>('/api/system');

// A method of the API layer ("user.add"), as the CLI calls it.
export async function call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
  return (await request<{ result: T }>(`/api/call/${method}`, params)).result;
}

// How far a job has come, and its end (src/admin/jobs.ts).
export interface JobState {
  progress: { what: string; done: number; total: number | null } | null;
  done: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

const JOB_POLL_MS = 400;

// A long method run as a job: `onProgress` sees each state while it runs; its result, or its
// failure as call() would throw it.
export async function runJob<T>(method: string, params: Record<string, unknown>, onProgress: (s: JobState) => void): Promise<T> {
  const { job } = await request<{ job: number }>(`/api/start/${method}`, params);
  for (;;) {
    await new Promise((r) => setTimeout(r, JOB_POLL_MS));
    const state = await request<JobState>(`/api/job?id=${job}`);
    onProgress(state);
    if (!state.done) continue;
    if (state.error) throw new ApiFailure(200, state.error.code, state.error.message);
    return state.result as T;
  }
}

// An update file sent in parts (src/update/stage.ts: each request ends well within the server's
// request timeout); `onSent` sees the bytes sent so far. The last part's answer is the checked
// update's manifest.
const UPDATE_PART_BYTES = 8 * 1024 * 1024;

export async function uploadUpdate(file: File, onSent: (bytes: number) => void): Promise<{ version: string; arch: string }> {
  for (let at = 0; ; at += UPDATE_PART_BYTES) {
    const last = at + UPDATE_PART_BYTES >= file.size;
    const r = await send<{ pending: { version: string; arch: string } | null }>(`/api/update?offset=${at}${last ? '&last=1' : ''}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: file.slice(at, at + UPDATE_PART_BYTES),
    });
    onSent(Math.min(file.size, at + UPDATE_PART_BYTES));
    if (last) return r.pending!;
  }
}

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
