// Turns the bytes of DATA into the message homepost stores or queues: line endings normalized,
// Message-ID/Date added for submission (RFC 6409 8), forged Authentication-Results removed and
// ours added for mail from the internet (RFC 8601 5), and a Received field on top (RFC 5321 4.4).
// The client's bytes otherwise stay as they were.
import type { InboundAuth } from './auth-results.ts';
import { forgedResultsFields } from './auth-results.ts';
import { normalizeLineEndings } from '../mime/line-endings.ts';
import { addSubmissionFields, headerInfo, receivedField, removeRanges, type ReceivedInfo } from './message.ts';
import type { IncomingMessage, RuleResult } from './policy/types.ts';

export interface PrepareOptions {
  hostname: string;
  submission: boolean;
  received: ReceivedInfo;
  // Runs the inbound checks, or null when they do not apply.
  check: ((raw: Buffer, signal: AbortSignal) => Promise<InboundAuth>) | null;
  deadlineMs: number;
}

export interface Prepared {
  raw: Buffer; // with trace fields, without Return-Path (added at final delivery)
  message: IncomingMessage;
  results: RuleResult[];
}

export async function prepareMessage(input: Buffer, o: PrepareOptions): Promise<Prepared> {
  let raw = normalizeLineEndings(input);
  const info = headerInfo(raw);
  const results: RuleResult[] = [];
  if (o.submission) raw = addSubmissionFields(raw, info, o.hostname, o.received.date);
  let auth: InboundAuth | null = null;
  if (o.check) {
    raw = removeRanges(raw, forgedResultsFields(raw, info.fields, o.hostname));
    try {
      auth = await o.check(raw, AbortSignal.timeout(o.deadlineMs));
      results.push({ rule: 'inbound-auth', outcome: 'next', reason: `spf=${auth.spf} dkim=${auth.dkim} dmarc=${auth.dmarc}` });
    } catch (e) {
      results.push({ rule: 'inbound-auth', outcome: 'skip', reason: `error: ${(e as Error).message}` });
    }
  } else {
    results.push({ rule: 'inbound-auth', outcome: 'skip', reason: o.submission ? 'authenticated' : 'trusted client' });
  }
  const trace = (auth?.header ?? '') + receivedField(o.received);
  return {
    raw: Buffer.concat([Buffer.from(trace), raw]),
    message: { size: raw.length, headerFrom: info.from, auth: auth && { dmarc: auth.dmarc, dmarcPolicy: auth.dmarcPolicy, header: auth.header } },
    results,
  };
}
