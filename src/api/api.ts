// The one API layer: the control socket's server, the CLI's offline path and the setup page all
// call methods through callMethod, so a method behaves the same whoever asks.
import { isStoreError } from '../store/errors.ts';
import { commandGroups } from './commands/index.ts';
import { methodName } from './group.ts';
import type { Logger } from '../log/log.ts';
import type { ServiceContext } from '../service/context.ts';
import { ApiError, type ApiContext, type Method, type Params } from './method.ts';

export const methods: ReadonlyMap<string, Method> = new Map(
  commandGroups.flatMap((g) => g.entries.map((e) => [methodName(g, e), e.method as Method] as const)),
);

// The context API calls run in inside the daemon: the control socket and the setup page build it
// alike, so a method sees the same daemon whoever asks.
export function daemonApiContext(ctx: ServiceContext, log: Logger): ApiContext {
  return {
    store: ctx.store,
    dataDir: ctx.options.dataDir,
    tls: () => ctx.tls,
    daemon: {
      pid: process.pid,
      startedAt: ctx.startedAt,
      options: ctx.options,
      listeners: ctx.listeners,
      junk: ctx.junk,
      parse: (raw) => {
        // A copy moves to the worker; the caller keeps the message.
        const bytes = new Uint8Array(raw);
        return ctx.offload.run('parse', bytes, { deadlineMs: 60_000, transfer: [bytes.buffer] });
      },
      restart: ctx.restart,
    },
    log,
  };
}

export async function callMethod(ctx: ApiContext, name: string, params: unknown): Promise<unknown> {
  const m = methods.get(name);
  if (!m) throw new ApiError('unknown-method', `no method ${name}`);
  if (!ctx.daemon && !m.offline) throw new ApiError('needs-daemon', `${name} needs the running daemon`);
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
    throw new ApiError('bad-request', 'params must be an object');
  }
  const raw = (params ?? {}) as Params;
  // What the call is about, for the log; never the other params (a password may be one).
  const subject = ([raw.address, raw.domain].find((v) => typeof v === 'string') as string | undefined)?.slice(0, 320);
  const started = Date.now();
  try {
    const result = await m.run(ctx, m.params(raw));
    ctx.log[m.write ? 'info' : 'debug']('api.call', { method: name, subject, ms: Date.now() - started });
    return result;
  } catch (e) {
    const error = asApiError(e);
    ctx.log[error.code === 'internal' ? 'error' : 'info']('api.failed', {
      method: name,
      subject,
      code: error.code,
      ...(error.code === 'internal' ? { error: e } : {}),
    });
    throw error;
  }
}

// Store refusals keep their code and message (they are written for people); anything else is an
// internal error whose details stay in the log.
export function asApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (isStoreError(e)) return new ApiError(e.code, e.message);
  return new ApiError('internal', 'internal error (details in the homepost log)');
}
