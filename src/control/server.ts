// The control socket's server, started by `homepost serve` like a protocol: the CLI's requests
// reach the API layer here, so the daemon stays the store's one writer. node-ipc is not used:
// this is node:net and newline-delimited JSON.
import { chmodSync, lstatSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import type { Listener } from '../net/listener.ts';
import type { ServiceStarter } from '../service/context.ts';
import { asApiError, callMethod, daemonApiContext } from '../api/api.ts';
import type { ApiContext, Progress } from '../api/method.ts';
import { MAX_REQUEST_BYTES, PROGRESS_EVERY_MS, readLines, socketPath, type Request, type Response } from './protocol.ts';

// A connection with no request in flight is closed after this long.
const IDLE_TIMEOUT_MS = 5 * 60_000;
const CLOSE_GRACE_MS = 2000;
// sun_path of sockaddr_un is 108 bytes with its terminating NUL (unix(7)).
const MAX_SOCKET_PATH = 107;

export const createControlService = (): ServiceStarter => async (ctx) => {
  const file = socketPath(ctx.options.dataDir);
  if (Buffer.byteLength(file) > MAX_SOCKET_PATH) {
    throw new Error(`the control socket ${file} would be longer than ${MAX_SOCKET_PATH} bytes; choose a shorter --data path`);
  }
  const log = ctx.log.child({ component: 'control' });
  const api = daemonApiContext(ctx, log);
  await removeStaleSocket(file);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(socket, api);
  });
  await listenPrivately(server, file);
  log.info('control.listening', { path: file });
  const listener: Listener = {
    name: 'control',
    host: file,
    port: 0,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Answers already computed are flushed; a client that does not hang up is cut off.
      for (const s of sockets) {
        s.end();
        setTimeout(() => s.destroy(), CLOSE_GRACE_MS).unref();
      }
      removeSocketFile(file);
      await closed;
    },
  };
  return [listener];
};

function serveConnection(socket: net.Socket, api: ApiContext): void {
  let inFlight = 0;
  socket.setTimeout(IDLE_TIMEOUT_MS, () => {
    if (inFlight === 0) socket.end();
  });
  socket.on('error', (e) => api.log.debug('control.socket_error', { error: e }));
  const send = (r: Response) => {
    if (socket.writable) socket.write(`${JSON.stringify(r)}\n`);
  };
  readLines(
    socket,
    MAX_REQUEST_BYTES,
    (line) => {
      if (!line.trim()) return;
      let req: Request;
      try {
        req = JSON.parse(line) as Request;
      } catch {
        send({ id: null, error: { code: 'bad-json', message: 'a request is one JSON object per line' } });
        return;
      }
      const id = typeof req?.id === 'number' || typeof req?.id === 'string' ? req.id : null;
      if (id === null || typeof req.method !== 'string') {
        send({ id, error: { code: 'bad-request', message: 'a request needs an id and a method' } });
        return;
      }
      inFlight++;
      let lastProgress = 0;
      const progress = (p: Progress) => {
        const now = Date.now();
        if (now - lastProgress < PROGRESS_EVERY_MS && p.done !== p.total) return;
        lastProgress = now;
        send({ id, progress: p });
      };
      callMethod({ ...api, progress }, req.method, req.params)
        .then(
          (result) => send({ id, result: result ?? null }),
          (e: unknown) => {
            const { code, message } = asApiError(e);
            send({ id, error: { code, message } });
          },
        )
        .finally(() => inFlight--);
    },
    () => {
      send({ id: null, error: { code: 'request-too-large', message: `a request has at most ${MAX_REQUEST_BYTES} bytes` } });
      socket.end();
    },
  );
}

// A socket file left by a daemon that died is removed; one that answers means another daemon
// uses this data folder, and two writers on one store is what the socket exists to prevent.
async function removeStaleSocket(file: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(file).isSocket();
  } catch {
    return;
  }
  if (!isSocket) throw new Error(`${file} exists and is not a socket; move it away`);
  const answers = await new Promise<boolean>((resolve) => {
    const probe = net.connect(file);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (answers) throw new Error(`another homepost is running on ${file}`);
  removeSocketFile(file);
}

// Created with umask 0177 so that it is 0600 from its first instant (bind() is synchronous inside
// listen()), then chmod'ed for good measure.
function listenPrivately(server: net.Server, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const umask = process.umask(0o177);
    try {
      server.listen(file);
    } finally {
      process.umask(umask);
    }
    server.once('listening', () => {
      server.off('error', reject);
      chmodSync(file, 0o600);
      resolve();
    });
  });
}

function removeSocketFile(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
