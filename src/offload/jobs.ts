// The jobs a worker runs (worker.ts), by name. Each takes structured-cloneable input (large
// buffers transferred, not copied: protocol.ts) and a DNS resolver that asks the main thread.
import { createHash } from 'node:crypto';
import { scanMessage } from '../junk/filter.ts';
import { parseMessage } from '../mime/parse.ts';
import { textJob } from '../mime/text.ts';
import type { DnsResolve } from '../smtp/dns.ts';
import { prepareMessage } from '../smtp/incoming.ts';
import { prepareTransmission } from '../smtp/transmission.ts';

export interface JobEnv {
  dns: DnsResolve;
}

export const JOBS = {
  // A received message: header bounds, trace fields, inbound checks, hash and parse.
  prepare: prepareMessage,
  // A queued message as one peer gets it: downgraded to 7 bits when needed, DKIM-signed.
  transmission: prepareTransmission,
  // The decoded, lowercased text of a stored message's large text parts, for IMAP SEARCH.
  text: textJob,
  // A stored message parsed again by this version of the parser (src/store/reparse.ts).
  parse: async (bytes: Uint8Array) => parseMessage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
  // A message's SHA-256, for a copy the main thread made (a junk field added); the bytes go back.
  hash: async (bytes: Uint8Array) => ({ buffer: bytes.buffer as ArrayBuffer, hash: createHash('sha256').update(bytes).digest() }),
  // What the junk filter reads of a message (its first 256 KB): its tokens and GTUBE mark.
  'junk-scan': async (bytes: Uint8Array) => scanMessage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
} satisfies Record<string, (input: never, env: JobEnv) => Promise<unknown>>;

export type JobKind = keyof typeof JOBS;
export type JobInput<K extends JobKind> = Parameters<(typeof JOBS)[K]>[0];
export type JobOutput<K extends JobKind> = Awaited<ReturnType<(typeof JOBS)[K]>>;
