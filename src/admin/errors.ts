// How the setup page's API fails: an HttpError carries the status, a machine-readable code and a
// message for people; API layer errors (src/control) keep their code and get the matching status.
import type { ServerResponse } from 'node:http';
import type { ApiErrorCode } from '../control/method.ts';

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  // The connection is closed after the answer (a body that was not read to its end).
  readonly close: boolean;
  constructor(status: number, code: string, message: string, o: { headers?: Record<string, string>; close?: boolean } = {}) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.headers = o.headers ?? {};
    this.close = o.close ?? false;
  }
}

// RFC 9110 15.5, 15.6: the client's mistake (4xx) or the server's condition (5xx).
const API_STATUS: Record<ApiErrorCode, number> = {
  'bad-request': 400,
  invalid: 400,
  'unknown-method': 404,
  'not-found': 404,
  exists: 409,
  forbidden: 409,
  'over-quota': 409,
  full: 503,
  closed: 503,
  'needs-daemon': 503,
  internal: 500,
};

export function apiErrorStatus(code: ApiErrorCode): number {
  return API_STATUS[code] ?? 500;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(data.length) });
  res.end(data);
}

export function sendError(res: ServerResponse, e: HttpError): void {
  if (e.close) res.setHeader('Connection', 'close');
  sendJson(res, e.status, { error: { code: e.code, message: e.message } }, e.headers);
}
