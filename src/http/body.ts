// Request bodies of the setup page's API: JSON objects of at most MAX_BODY_BYTES.
import type { IncomingMessage } from 'node:http';
import { HttpError } from './errors.ts';

export const MAX_BODY_BYTES = 64 * 1024;
// A body over the limit is still read (and dropped) up to this size, so that the client, which is
// still sending, reads the 413 instead of a connection reset; beyond it the connection is cut.
const DISCARD_LIMIT = 1024 * 1024;

// RFC 9110 8.3.1: the media type is case-insensitive; parameters (charset) may follow.
export function mediaType(req: IncomingMessage): string | undefined {
  return req.headers['content-type']?.split(';')[0].trim().toLowerCase();
}

function tooLarge(limit: number, close: boolean): HttpError {
  return new HttpError(413, 'too-large', `a request body has at most ${limit} bytes`, { close });
}

export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > DISCARD_LIMIT) return Promise.reject(tooLarge(limit, true));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > DISCARD_LIMIT) {
        cleanup();
        reject(tooLarge(limit, true));
      } else if (size <= limit) {
        chunks.push(chunk);
      }
    };
    const onEnd = () => {
      cleanup();
      if (size > limit) reject(tooLarge(limit, false));
      else resolve(Buffer.concat(chunks, size));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const cleanup = () => {
      req.off('data', onData).off('end', onEnd).off('error', onError);
    };
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

// The body as a JSON object; an empty body is {}.
export async function readJsonObject(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (mediaType(req) !== 'application/json') throw new HttpError(415, 'unsupported-media-type', 'send the body as application/json');
  const body = await readBody(req);
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'bad-json', 'the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new HttpError(400, 'bad-request', 'the body must be a JSON object');
  return value as Record<string, unknown>;
}
