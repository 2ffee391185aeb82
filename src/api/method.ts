// The API layer's building blocks: what a method is, the context it runs in, its errors, and
// the checks that turn untrusted JSON params into typed values. The control socket (daemon), the
// CLI's offline path and the setup page call the same methods through api.ts.
import type { ServeOptions } from '../config/options.ts';
import type { JunkService } from '../junk/service.ts';
import type { ParsedMessage } from '../mime/index.ts';
import type { Logger } from '../log/log.ts';
import type { Listener } from '../net/listener.ts';
import type { AccountInfo, Store, StoreErrorCode } from '../store/index.ts';
import type { TlsManager } from '../tls/manager.ts';
import type { Restart } from '../service/context.ts';

export type ApiErrorCode =
  | StoreErrorCode
  | 'bad-request' // params missing or of the wrong type
  | 'unknown-method'
  | 'needs-daemon' // the method needs the running daemon and was called offline
  | 'internal';

export class ApiError extends Error {
  readonly code: ApiErrorCode;
  constructor(code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

// The account with this address (any spelling the store accepts); not-found, naming the address
// as given (cut short), when there is none.
export function requireAccount(ctx: ApiContext, address: string): AccountInfo {
  const account = ctx.store.accounts.get(address);
  if (!account) throw new ApiError('not-found', `no account ${address.slice(0, 320)}`);
  return account;
}

// What the running daemon adds to the context; absent offline.
export interface DaemonInfo {
  pid: number;
  startedAt: number; // ms since the epoch
  options: ServeOptions;
  listeners: readonly Listener[];
  // Each account's junk filter (its counts live in the daemon's memory).
  junk: JunkService;
  // A message's parse in a worker (src/offload), for mail the API stores (import).
  parse(raw: Buffer): Promise<ParsedMessage>;
  // Ends the daemon for its supervisor to start again (an update, src/update; a restore, which
  // switches stores in `afterStop`, once the store is closed); null when nothing would start it
  // again.
  restart: Restart | null;
}

// How far a long method has come (a backup, an export, an import): shown by the CLI as a progress
// line, sent over the control socket as it goes.
export interface Progress {
  what: string; // what is counted: "messages", "bytes"
  done: number;
  total: number | null;
}

export interface ApiContext {
  store: Store;
  dataDir: string;
  // The certificate manager: the daemon's own (so a new certificate reaches every listener), or,
  // offline, one over the same files.
  // create: make a certificate when there is none yet (offline; the daemon always has one).
  tls(opts?: { create?: boolean }): TlsManager;
  daemon: DaemonInfo | null;
  log: Logger;
  // Where a long method reports its progress; absent when nobody listens (the setup page).
  progress?(p: Progress): void;
}

export type Params = Record<string, unknown>;

export interface Method<P = unknown, R = unknown> {
  // Whether the CLI may run it on a store it opened itself when no daemon runs.
  offline: boolean;
  // Whether it changes state (such calls are logged at info, others at debug).
  write: boolean;
  // Checks and narrows the request's params; throws ApiError('bad-request').
  params(raw: Params): P;
  run(ctx: ApiContext, params: P): Promise<R> | R;
}

// Keeps P and R inferred from the definition.
export function method<P, R>(m: Method<P, R>): Method<P, R> {
  return m;
}

// --- param checks ---

export function str(raw: Params, name: string): string {
  const v = raw[name];
  if (typeof v !== 'string' || v === '') throw new ApiError('bad-request', `${name} is required`);
  return v;
}

export function optStr(raw: Params, name: string): string | undefined {
  return raw[name] === undefined ? undefined : str(raw, name);
}

export function optInt(raw: Params, name: string): number | undefined {
  const v = raw[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ApiError('bad-request', `${name} must be a whole number`);
  return v;
}

export function strList(raw: Params, name: string): string[] {
  const v = raw[name];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new ApiError('bad-request', `${name} must be a list of strings`);
  return v as string[];
}

export function flag(raw: Params, name: string): boolean {
  const v = raw[name];
  if (v !== undefined && typeof v !== 'boolean') throw new ApiError('bad-request', `${name} must be true or false`);
  return v === true;
}

export const noParams = (): Record<string, never> => ({});
