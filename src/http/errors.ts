// How an HTTP answer fails: an HttpError carries the status, a machine-readable code and a message
// for people, sent as JSON.
import type { ServerResponse } from 'node:http';

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

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { ...headers, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(data.length) });
  res.end(data);
}

export function sendError(res: ServerResponse, e: HttpError): void {
  if (e.close) res.setHeader('Connection', 'close');
  sendJson(res, e.status, { error: { code: e.code, message: e.message } }, e.headers);
}
