// The control socket's client: what the CLI uses to reach a running daemon.
import net from 'node:net';
import { ApiError, type ApiErrorCode, type Progress } from '../api/method.ts';
import { readLines, socketPath, type Response } from './protocol.ts';

// Responses can be large (a long account list); this only stops a runaway.
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 60_000;

// The daemon exists but cannot be asked: permission, or no answer in time.
export class DaemonUnreachable extends Error {}

export interface ControlClient {
  call(method: string, params?: Record<string, unknown>, onProgress?: (p: Progress) => void): Promise<unknown>;
  close(): void;
}

// The daemon's client, or null when no daemon runs on this data folder (no socket, or one left
// by a daemon that is gone).
export async function connectDaemon(dataDir: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ControlClient | null> {
  const file = socketPath(dataDir);
  const socket = net.connect(file);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED') return null;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new DaemonUnreachable(`no permission to use ${file}: run this as the user homepost runs as`);
    }
    throw new DaemonUnreachable(`cannot reach homepost at ${file}: ${(e as Error).message}`);
  }
  return new Client(socket, file, timeoutMs);
}

class Client implements ControlClient {
  private socket: net.Socket;
  private file: string;
  private timeoutMs: number;
  private nextId = 1;
  private waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; progress(p: Progress): void }>();

  constructor(socket: net.Socket, file: string, timeoutMs: number) {
    this.socket = socket;
    this.file = file;
    this.timeoutMs = timeoutMs;
    socket.on('error', (e) => this.failAll(new DaemonUnreachable(`lost the connection to homepost: ${e.message}`)));
    socket.on('close', () => this.failAll(new DaemonUnreachable('homepost closed the connection (is it stopping?)')));
    readLines(
      socket,
      MAX_RESPONSE_BYTES,
      (line) => this.onResponse(line),
      () => this.failAll(new DaemonUnreachable('homepost sent a response too large to read')),
    );
  }

  // The method's result. `onProgress` gets the progress a long method reports; each report also
  // restarts the wait for an answer, so only a daemon that stops reporting times out.
  call(method: string, params: Record<string, unknown> = {}, onProgress?: (p: Progress) => void): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          this.waiting.delete(id);
          reject(new DaemonUnreachable(`homepost did not answer within ${this.timeoutMs / 1000} s (${this.file})`));
        }, this.timeoutMs);
      };
      arm();
      const done = () => clearTimeout(timer);
      this.waiting.set(id, {
        resolve: (v) => {
          done();
          resolve(v);
        },
        reject: (e) => {
          done();
          reject(e);
        },
        progress: (p) => {
          arm();
          onProgress?.(p);
        },
      });
      this.socket.write(`${JSON.stringify({ id, method, params })}\n`);
    });
  }

  close(): void {
    this.socket.end();
  }

  private onResponse(line: string): void {
    let r: Response;
    try {
      r = JSON.parse(line) as Response;
    } catch {
      this.failAll(new DaemonUnreachable('homepost sent something that is not JSON'));
      return;
    }
    const w = typeof r.id === 'number' ? this.waiting.get(r.id) : undefined;
    if (!w) return;
    if ('progress' in r) {
      w.progress(r.progress);
      return;
    }
    this.waiting.delete(r.id as number);
    if ('error' in r) {
      const code = r.error.code === 'bad-json' || r.error.code === 'request-too-large' ? 'bad-request' : r.error.code;
      w.reject(new ApiError(code as ApiErrorCode, r.error.message));
    } else {
      w.resolve(r.result);
    }
  }

  private failAll(e: Error): void {
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}
