// The outcome of one delivery attempt for one recipient, and the replies outbound delivery makes
// up itself (a peer that cannot be reached, a null MX) in the same shape as a peer's, so that the
// queue, `homepost queue show` and bounces read them alike. Status codes are RFC 3463's.

export type Outcome = 'delivered' | 'deferred' | 'failed' | 'interrupted';

export interface AttemptResult {
  address: string;
  // interrupted: the attempt was abandoned at shutdown; it is retried without counting.
  outcome: Outcome;
  reply: string; // one line: "550 5.1.1 No such user"
  status: string; // RFC 3463: "5.1.1"
  // The peer that gave `reply` (RFC 3464 Remote-MTA), null when homepost made it up.
  remoteMta: string | null;
  // For delivered recipients, the RFC 3464 action of a success notice (NOTIFY=SUCCESS):
  // 'delivered' for final delivery here, 'relayed' to a peer without DSN (RFC 3461 5.2.2),
  // null when the peer has DSN and the request travelled on with the message.
  successAction: 'delivered' | 'relayed' | null;
}

const REPLY = /^([2-5]\d\d)[ -](?:([2-5]\.\d{1,3}\.\d{1,3}) )?/;

// A peer's reply as one line: continuation lines joined, controls removed, at most 500 chars.
export function oneLine(reply: string): string {
  const lines = reply.split(/\r?\n/).filter(Boolean);
  const code = /^\d{3}/.exec(lines[0] ?? '')?.[0];
  const text = lines.map((l, i) => (i === 0 || !code ? l : l.replace(/^\d{3}[ -](?:\d\.\d{1,3}\.\d{1,3} )?/, ''))).join(' ');
  return text
    .replace(/[\x00-\x1f\x7f]+/g, ' ')
    .trim()
    .slice(0, 500);
}

export function replyCode(reply: string): number | null {
  const m = REPLY.exec(reply);
  return m ? Number(m[1]) : null;
}

// The enhanced status code of a reply, or the one its basic code implies (RFC 3463 2).
export function statusOf(reply: string): string {
  const m = REPLY.exec(reply);
  if (!m) return '4.0.0';
  return m[2] && m[2][0] === m[1][0] ? m[2] : `${m[1][0]}.0.0`;
}

// A peer's answer for a recipient.
export function fromReply(address: string, reply: string, remoteMta: string | null): AttemptResult {
  const line = oneLine(reply);
  const code = replyCode(line) ?? 451;
  const outcome = code < 300 ? 'delivered' : code < 500 ? 'deferred' : 'failed';
  return { address, outcome, reply: line, status: statusOf(line), remoteMta, successAction: null };
}

// An outcome homepost decided without a peer's reply for it.
export function local(address: string, outcome: Outcome, code: number, status: string, text: string): AttemptResult {
  return { address, outcome, reply: `${code} ${status} ${text}`, status, remoteMta: null, successAction: null };
}
