// The one place where decisions become SMTP replies (RFC 5321 4.2) with their RFC 3463 enhanced
// status codes. Policy verdicts, store failures and limits all pass through here; the text of
// an error reply starts with the enhanced code, which connection.ts puts in its place on the wire.
import type { StoreErrorCode } from '../store/index.ts';
import type { Outcome, Verdict } from './policy/types.ts';

export interface SmtpReply {
  code: number;
  enhanced: string;
  text: string;
}

// An Error that smtp-server's handler callbacks turn into the reply: responseCode is the code,
// the message carries the enhanced code first.
export interface SmtpReplyError extends Error {
  responseCode: number;
  reply: SmtpReply;
}

const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})$/;

export function reply(code: number, enhanced: string, text: string): SmtpReply {
  if (!ENHANCED.test(enhanced) || enhanced[0] !== String(code)[0]) {
    throw new Error(`enhanced code ${enhanced} does not fit ${code}`);
  }
  return { code, enhanced, text };
}

export function replyError(r: SmtpReply): SmtpReplyError {
  const e = new Error(`${r.enhanced} ${r.text}`) as SmtpReplyError;
  e.responseCode = r.code;
  e.reply = r;
  return e;
}

export function isReplyError(e: unknown): e is SmtpReplyError {
  return e instanceof Error && typeof (e as SmtpReplyError).responseCode === 'number' && (e as SmtpReplyError).reply !== undefined;
}

// Defaults when a rule gives only its verdict.
const DEFAULTS: Record<Exclude<Outcome, 'next' | 'accept'>, SmtpReply> = {
  reject: { code: 550, enhanced: '5.7.1', text: 'Rejected by policy' }, // RFC 3463 3.8 X.7.1
  tempfail: { code: 451, enhanced: '4.3.0', text: 'Temporary failure, try again later' },
};

// The reply for a refusing verdict; null for 'next' and 'accept' (the command goes on).
export function verdictReply(v: Verdict): SmtpReply | null {
  if (v.verdict === 'next' || v.verdict === 'accept') return null;
  const d = DEFAULTS[v.verdict];
  const code = v.code ?? d.code;
  const klass = v.verdict === 'reject' ? 5 : 4;
  if (Math.floor(code / 100) !== klass) throw new Error(`reply code ${code} does not fit a ${v.verdict} verdict`);
  return reply(code, v.enhanced ?? `${klass}${d.enhanced.slice(1)}`, v.text ?? d.text);
}

// Replies used by more than one part of src/smtp.
export const REPLIES = {
  relayDenied: reply(554, '5.7.1', 'Relay access denied'), // RFC 3463 X.7.1
  noSuchUser: reply(550, '5.1.1', 'No such user here'), // RFC 3463 X.1.1
  badSender: reply(553, '5.7.1', 'Sender address not owned by the authenticated user'),
  authRequired: reply(530, '5.7.0', 'Authentication required'), // RFC 4954 6
  encryptionRequired: reply(538, '5.7.11', 'Encryption required for requested authentication mechanism'), // RFC 4954 6
  authFailed: reply(535, '5.7.8', 'Authentication credentials invalid'), // RFC 4954 6
  authLocked: reply(454, '4.7.0', 'Too many failed authentications, try again later'), // RFC 4954 6
  tooManyErrors: reply(421, '4.7.0', 'Too many errors, closing connection'),
  tooManyConnections: reply(421, '4.7.0', 'Too many connections, try again later'),
  tooManyFromAddress: reply(421, '4.7.0', 'Too many connections from your address, try again later'),
  unknownParameter: reply(555, '5.5.4', 'Parameter not recognized or not implemented'), // RFC 5321 4.1.1.11
  shuttingDown: reply(421, '4.3.2', 'Server shutting down'), // RFC 3463 X.3.2
  policyTimeout: reply(451, '4.4.3', 'Policy check timed out, try again later'),
  localError: reply(451, '4.3.0', 'Local error in processing, try again later'),
  storeFull: reply(452, '4.3.1', 'Insufficient system storage, try again later'), // RFC 3463 X.3.1
  overQuotaTemporary: reply(452, '4.2.2', 'Mailbox full, try again later'), // RFC 3463 X.2.2
  overQuotaPermanent: reply(552, '5.2.2', 'Mailbox full'),
  messageTooBig: reply(552, '5.3.4', 'Message size exceeds fixed maximum message size'), // RFC 1870 6
  // RFC 1870 6.1 and RFC 3463 X.3.1: the memory for messages in flight is spent for now.
  noMemory: reply(452, '4.3.1', 'Insufficient system storage, try again later'),
  headerTooLarge: reply(552, '5.3.4', 'Message header too large'), // RFC 3463 X.3.4
  headerTooManyLines: reply(554, '5.6.0', 'Message header has too many lines'), // RFC 3463 X.6.0
  tooComplex: reply(552, '5.3.4', 'Message too complex to process'), // RFC 3463 X.3.4
  checkTimeout: reply(451, '4.3.0', 'Message could not be checked in time, try again later'),
  // RFC 7372 3.2: mail claiming one of our domains from outside, with neither SPF nor DKIM passing.
  ownDomainUnauthenticated: reply(550, '5.7.26', 'Mail from this domain must pass SPF or DKIM'),
  // RFC 5782: the client's address is on a DNS blocklist (the rule names the list in its text).
  blocklisted: reply(554, '5.7.1', 'Client host blocked by a DNS blocklist'), // RFC 3463 X.7.1
  dmarcReject: reply(550, '5.7.1', 'Message rejected: DMARC policy of the sender domain is reject'), // RFC 7489 6.6.3
} as const;

export function overQuotaReply(mode: 'temporary' | 'permanent'): SmtpReply {
  return mode === 'permanent' ? REPLIES.overQuotaPermanent : REPLIES.overQuotaTemporary;
}

// A store failure during delivery, as the client should hear it.
export function storeErrorReply(code: StoreErrorCode | 'unknown', quotaMode: 'temporary' | 'permanent'): SmtpReply {
  switch (code) {
    case 'full':
      return REPLIES.storeFull;
    case 'over-quota':
      return overQuotaReply(quotaMode);
    case 'not-found':
      return REPLIES.noSuchUser;
    default:
      return REPLIES.localError;
  }
}
