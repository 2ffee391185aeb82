// The control socket's wire format: one JSON object per line each way over a Unix socket in the
// data folder (mode 0600: only the daemon's user may talk to it).
//   request   {"id": 1, "method": "user.add", "params": {...}}
//   response  {"id": 1, "result": ...}  or  {"id": 1, "error": {"code": "exists", "message": "..."}}
//   progress  {"id": 1, "progress": {"what": "messages", "done": 10, "total": 200}}, any number of
//             them before a long request's response, at most one per PROGRESS_EVERY_MS
// Requests on one connection may overlap; responses carry their request's id.
import path from 'node:path';
import type { Socket } from 'node:net';
import type { ApiErrorCode, Progress } from '../api/method.ts';

export const SOCKET_NAME = 'control.sock';
// A request is small (a password, a list of networks); this bounds what a client can make the
// daemon buffer. Responses are not limited this way: they come from the daemon.
export const MAX_REQUEST_BYTES = 1024 * 1024;

export function socketPath(dataDir: string): string {
  return path.join(dataDir, SOCKET_NAME);
}

export interface Request {
  id: number | string;
  method: string;
  params?: Record<string, unknown>;
}

export interface WireError {
  code: ApiErrorCode | 'request-too-large' | 'bad-json';
  message: string;
}

export type Response =
  | { id: number | string | null; result: unknown }
  | { id: number | string | null; error: WireError }
  | { id: number | string; progress: Progress };

export const PROGRESS_EVERY_MS = 500;

// Calls onLine for each complete line; onOverflow (once, then nothing more) when a line passes
// maxBytes without its newline.
export function readLines(socket: Socket, maxBytes: number, onLine: (line: string) => void, onOverflow: () => void): void {
  let pending: Buffer[] = [];
  let size = 0;
  let overflowed = false;
  socket.on('data', (chunk: Buffer) => {
    if (overflowed) return;
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      if (size + piece.length > maxBytes) break;
      onLine(Buffer.concat([...pending, piece]).toString('utf8'));
      pending = [];
      size = 0;
      start = nl + 1;
    }
    const rest = chunk.subarray(start);
    if (size + rest.length > maxBytes) {
      overflowed = true;
      pending = [];
      onOverflow();
      return;
    }
    if (rest.length) {
      pending.push(rest);
      size += rest.length;
    }
  });
}
