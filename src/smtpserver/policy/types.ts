// The vocabulary of SMTP policy (Haraka's CONT/OK/DENY/DENYSOFT): a rule looks at a
// plain SmtpContext and answers a Verdict; session.ts runs the rules of a stage in order and
// reply.ts turns the deciding verdict into the SMTP reply. Rules never touch the socket or LMDB.
import type { Mailbox, ParsedPath } from '../../smtp/address.ts';
import type { InboundAuth } from '../../smtp/auth-results.ts';
import type { Originators } from '../../smtp/incoming.ts';
import type { DsnMailParams, DsnRcptParams } from '../../smtp/esmtp-params.ts';
import type { ClientLookups } from '../../smtp/reputation/lookups.ts';
import type { SmtpSettings } from '../../smtp/settings.ts';

export type Outcome = 'next' | 'accept' | 'reject' | 'tempfail';

export interface Verdict {
  verdict: Outcome;
  code?: number; // SMTP reply code (RFC 5321 4.2)
  enhanced?: string; // RFC 3463 status code, "5.7.1"
  text?: string;
  reason?: string; // why, for the transaction record and the log (defaults to text)
}

// What each rule decided, kept on the transaction for later rules, trace headers and logs.
export interface RuleResult {
  rule: string;
  outcome: Outcome | 'skip';
  reason: string;
}

export type ListenerKind = 'mx' | 'submission' | 'submissions';

// Lookups rules need, answered by the store in production and by plain objects in rule tests.
export interface Directory {
  isLocalDomain(asciiDomain: string): boolean;
  // The server's host name, as asciiDomain spells it: its postmaster is local even when the name
  // is not a local domain (RFC 5321 4.5.1).
  hostname: string;
  // Local account ids and external addresses mail to this address goes to, or null.
  resolve(address: string): { accounts: number[]; external: string[] } | null;
  ownAddresses(accountId: number): string[];
  // The quota (0: none) of an account and the bytes it uses.
  usage(accountId: number): { used: number; quota: number }; // used is 0 when quota is 0
  // Records an attempt of a greylist triplet (rcpt.greylist.ts): its first, a retry within
  // delayMs of it, or one that passes.
  greylist(triplet: string, delayMs: number): Promise<'new' | 'early' | 'pass'>;
}

export interface SessionInfo {
  id: string;
  listener: ListenerKind;
  remoteAddress: string;
  secure: boolean;
  helo: string;
  account: { id: number; address: string } | null;
  // The client address is in a trusted network (smtp.trustedNetworks; loopback in development).
  trusted: boolean;
}

export interface Recipient {
  mailbox: Mailbox;
  // Filled in by the rule that accepted it: where the message goes.
  local: number[]; // account ids
  external: string[]; // addresses for the outbound queue
  dsn?: DsnRcptParams; // RFC 3461 NOTIFY and ORCPT of its RCPT TO
}

// What the SMTP-time checks say about a message for its filing at delivery (junk filter): a
// 'junk' mark files it into Junk whatever the classifier scores (the sender's DMARC policy asks
// for quarantine, say); a 'score' mark adds its points to the classifier's score, from 0 (ham)
// to 1 (junk), so that signals which never refuse alone (reverse DNS, HELO) can tip a message
// the words leave in doubt. Delivery reads them from the transaction (data.ts passes them on).
export type JunkMark = { rule: string; reason: string } & ({ kind: 'junk' } | { kind: 'score'; points: number });

export interface Transaction {
  sender: ParsedPath | null;
  declaredSize: number | null; // MAIL FROM SIZE= (RFC 1870)
  recipients: Recipient[];
  results: RuleResult[];
  junk: JunkMark[];
  dsn?: DsnMailParams; // RFC 3461 RET and ENVID of MAIL FROM
}

export interface SmtpContext {
  session: SessionInfo;
  settings: SmtpSettings;
  directory: Directory;
  // DNS about the client (blocklists, reverse DNS), cached across sessions.
  lookups: ClientLookups;
  transaction: Transaction;
}

// What a DATA rule sees of the message (before trace headers are added).
export interface IncomingMessage {
  size: number;
  // RFC 5322 3.6.2 and 3.6.6 originator fields: the addr-specs of every From, Sender and
  // Resent-From field, and whether one held something that is not a complete mailbox.
  from: Originators;
  sender: Originators;
  resentFrom: Originators;
  // Inbound checks (auth-results.ts), null when they did not run.
  auth: InboundAuth | null;
}

export type Stage = 'mail' | 'rcpt' | 'data';

export interface StageInput {
  mail: { sender: ParsedPath };
  rcpt: { recipient: Recipient };
  data: { message: IncomingMessage };
}

export interface Rule<S extends Stage = Stage> {
  name: string;
  stage: S;
  // The signal aborts at the rule's deadline; a late answer is ignored.
  run(ctx: SmtpContext, input: StageInput[S], signal: AbortSignal): Promise<Verdict>;
}

export const NEXT: Verdict = { verdict: 'next' };
