// Turns the bytes of DATA (or an IMAP APPEND literal) into the message homepost stores or queues,
// in a worker thread (src/offload), on the buffer the bytes arrived in (src/memory/
// message-buffer.ts, transferred here and back), without copying the body:
// 1. the header's bounds are checked before anything else reads it (src/mime/header-limits.ts);
// 2. submission: Message-ID and Date added when missing (RFC 6409 8.2, 8.3);
// 3. mail from the internet: forged Authentication-Results removed (RFC 8601 5), SPF, DKIM and
//    DMARC checked, and their results added (auth-results.ts);
// 4. a Received field on top (RFC 5321 4.4), and for final delivery Return-Path above it;
// 5. each copy wanted is hashed and parsed (src/mime) for the store.
// The header is rewritten in place, ending where it ended, so it grows into the free room before
// the message; the body's bytes never move. The client's bytes otherwise stay as they were.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { boundHeader, type HeaderLimits } from '../mime/header-limits.ts';
import { originatorAddresses } from '../mime/address.ts';
import { allValues, findField, splitHeader, type HeaderField } from '../mime/headers.ts';
import { parseMessage } from '../mime/parse.ts';
import type { ParsedMessage } from '../mime/types.ts';
import { checkInbound, isForgedResults, type InboundAuth } from './auth-results.ts';
import type { DnsResolve } from './dns.ts';
import { newMessageId, receivedField, returnPathField, rfc5322Date, type ReceivedInfo } from './message.ts';

// OpenDKIM verifies 3 signatures by default (MaximumSignaturesToVerify); each costs DNS queries
// to a domain the sender chose. Signatures past these are not verified.
const MAX_DKIM_SIGNATURES = 5;

export interface PrepareInput {
  // The message's memory (src/memory/message-buffer.ts), transferred here and back.
  buffer: ArrayBuffer;
  start: number; // the message is [start, end); [0, start) is free room for new header fields
  end: number;
  limits: HeaderLimits;
  submission: { hostname: string; date: number } | null;
  inbound: { ip: string; helo: string; sender: string; authservId: string } | null;
  received: ReceivedInfo | null;
  // The copy for final delivery into mailboxes, with this Return-Path (RFC 5321 4.4), or null.
  returnPath: string | null;
  // The copy without Return-Path (the outbound queue, IMAP APPEND).
  transit: boolean;
}

// One copy of the message for the store: its range in the buffer, its hash and its parse. With
// both copies, only the final one carries its parse (the other is the same shifted: shift.ts), so
// that one tree, not two, crosses back from the worker.
export interface PreparedCopy {
  start: number;
  end: number;
  hash: Uint8Array;
  parsed: ParsedMessage | null;
}

// The addresses of an originator field (every occurrence of it), and whether any of them was not
// a complete mailbox.
export interface Originators {
  addresses: string[];
  malformed: boolean;
}

export type PrepareOutput =
  | { ok: false; refusal: 'header-too-large' | 'too-many-header-lines'; buffer: ArrayBuffer }
  | {
      ok: true;
      buffer: ArrayBuffer;
      size: number; // the message with submission fields, before trace fields
      final: PreparedCopy | null;
      transit: PreparedCopy | null;
      from: Originators;
      sender: Originators;
      resentFrom: Originators;
      auth: InboundAuth | null;
      authError: string | null;
    };

export async function prepareMessage(input: PrepareInput, env: { dns: DnsResolve }): Promise<PrepareOutput> {
  const all = Buffer.from(input.buffer, 0, input.end);
  const bounds = boundHeader(all, input.start, input.end, input.limits);
  if (!bounds.ok) return { ok: false, refusal: bounds.reason, buffer: input.buffer };
  const headerEnd = bounds.headerEnd;
  let fields = splitHeader(all, input.start, headerEnd);
  let start = input.start;

  // RFC 6409 8.2, 8.3 (submission) and RFC 8601 5 (from outside): the header, rewritten.
  const added: string[] = [];
  if (input.submission) {
    if (!findField(fields, 'Date')) added.push(`Date: ${rfc5322Date(new Date(input.submission.date))}\r\n`);
    if (!findField(fields, 'Message-ID')) added.push(`Message-ID: ${newMessageId(input.submission.hostname)}\r\n`);
  }
  const kept = input.inbound ? fields.filter((f) => !isForgedResults(all, f, input.inbound!.authservId)) : fields;
  if (added.length || kept.length !== fields.length) {
    const pieces: Uint8Array[] = kept.map((f) => all.subarray(f.start, f.end));
    const last = kept.at(-1);
    // A last field without its line break gets one, so that what follows stays a new field.
    if (added.length && last && all[last.end - 1] !== 0x0a) pieces.push(Buffer.from('\r\n'));
    pieces.push(Buffer.from(added.join('')));
    // A message without a header/body separator gets one, so the new fields stay header fields.
    if (added.length && headerEnd >= input.end) pieces.push(Buffer.from('\r\n'));
    const header = Buffer.concat(pieces);
    if (header.length > headerEnd) return { ok: false, refusal: 'header-too-large', buffer: input.buffer };
    start = headerEnd - header.length;
    all.set(header, start);
    fields = splitHeader(all, start, headerEnd);
  }
  const size = input.end - start;

  let auth: InboundAuth | null = null;
  let authError: string | null = null;
  if (input.inbound) {
    try {
      auth = await checkInbound(mailauthInput(all, fields, start, headerEnd, input.end), {
        ...input.inbound,
        hostname: input.inbound.authservId,
        resolve: env.dns,
      });
    } catch (e) {
      authError = (e as Error).message;
    }
  }

  // Trace fields on top: ours (Received-SPF, Authentication-Results), then Received above them.
  const trace = Buffer.from((auth?.header ?? '') + (input.received ? receivedField(input.received) : ''));
  const returnPath = input.returnPath === null ? null : Buffer.from(returnPathField(input.returnPath));
  if (trace.length + (returnPath?.length ?? 0) > start) return { ok: false, refusal: 'header-too-large', buffer: input.buffer };
  start -= trace.length;
  all.set(trace, start);
  let final: PreparedCopy | null = null;
  if (returnPath) {
    all.set(returnPath, start - returnPath.length);
    final = prepared(all, start - returnPath.length, input.end, true);
  }
  const transit = input.transit ? prepared(all, start, input.end, final === null) : null;
  return {
    ok: true,
    buffer: input.buffer,
    size,
    final,
    transit,
    from: originators(all, fields, 'From'),
    sender: originators(all, fields, 'Sender'),
    resentFrom: originators(all, fields, 'Resent-From'),
    auth,
    authError,
  };
}

function prepared(all: Buffer, start: number, end: number, parse: boolean): PreparedCopy {
  const raw = all.subarray(start, end);
  return { start, end, hash: createHash('sha256').update(raw).digest(), parsed: parse ? parseMessage(raw) : null };
}

// Field offsets are absolute in the buffer, as `all` is.
function originators(all: Buffer, fields: HeaderField[], name: string): Originators {
  const out: Originators = { addresses: [], malformed: false };
  for (const value of allValues(all, fields, name)) {
    const o = originatorAddresses(value);
    out.addresses.push(...o.addresses);
    out.malformed ||= o.malformed;
  }
  return out;
}

// What mailauth reads: the message, or, when it carries more DKIM signatures than are verified,
// the header with the extra ones renamed followed by the body (the body is not copied).
function mailauthInput(all: Buffer, fields: HeaderField[], start: number, headerEnd: number, end: number): Buffer | Readable {
  const signatures = fields.filter((f) => f.name.toLowerCase() === 'dkim-signature');
  if (signatures.length <= MAX_DKIM_SIGNATURES) return all.subarray(start, end);
  const header = Buffer.from(all.subarray(start, headerEnd));
  for (const f of signatures.slice(MAX_DKIM_SIGNATURES)) header.write('X', f.start - start, 'latin1');
  return Readable.from([header, all.subarray(headerEnd, end)]);
}
