// Delivery status notifications (RFC 3464): a multipart/report (RFC 6522) with a human-readable
// part, the message/delivery-status part (one per-message block, one block per recipient) and the
// original message's header (text/rfc822-headers, RFC 3461 4.3 RET=HDRS and our default) or the
// whole message (message/rfc822, RET=FULL, up to DSN_FULL_LIMIT). For a message sent with
// SMTPUTF8 the RFC 6533 types are used (message/global-delivery-status, message/global-headers,
// message/global), and addresses that are not ASCII are given as "utf-8" addresses.
import { randomBytes } from 'node:crypto';
import type { QueueRecipient } from '../store/index.ts';
import { findHeaderEnd } from '../mime/headers.ts';
import { has8bit } from '../smtp/downgrade.ts';
import { newMessageId, rfc5322Date } from '../smtp/message.ts';

// RFC 3461 4.1 NOTIFY values (a recipient's list is empty for NOTIFY=NEVER), as the queue
// records them per recipient.
export type DsnNotify = NonNullable<QueueRecipient['notify']>[number];

// RFC 3464 2.3.3 Action of a delivery status notification: what a recipient's owed notice says.
export type DsnAction = NonNullable<QueueRecipient['notice']>;

export interface DsnRecipient {
  address: string;
  orcpt: string | null; // "rfc822;user@example.org"
  action: DsnAction;
  status: string; // RFC 3463
  remoteMta: string | null;
  diagnostic: string | null; // the last reply
  lastAttemptAt: number | null;
}

export interface DsnInput {
  hostname: string; // the Reporting-MTA
  sender: string; // the envelope sender the report goes to
  original: Buffer;
  envid: string | null;
  ret: 'full' | 'hdrs' | null;
  smtpUtf8: boolean;
  arrivedAt: number;
  // Until when delayed recipients are retried.
  retryUntil: number | null;
  recipients: DsnRecipient[];
  now: Date;
}

const SUBJECTS: Record<DsnAction, string> = {
  failed: 'Undelivered Mail Returned to Sender',
  delayed: 'Delayed Mail (still being retried)',
  delivered: 'Successful Mail Delivery Report',
  relayed: 'Mail Delivery Report (relayed)',
};

// Text that goes into a header-like field: no line breaks or controls, bounded.
function field(text: string, max = 900): string {
  return text
    .replace(/[\x00-\x1f\x7f]+/g, ' ')
    .trim()
    .slice(0, max);
}

// RFC 3464 2.1.2 / RFC 6533 3: an address with its type.
function typed(address: string): string {
  return /[^\x00-\x7f]/.test(address) ? `utf-8; ${field(address)}` : `rfc822; ${field(address)}`;
}

// "rfc822;addr" as given in ORCPT: type and address, the address cleaned.
function original(orcpt: string): string {
  const semi = orcpt.indexOf(';');
  return `${orcpt.slice(0, semi)}; ${field(orcpt.slice(semi + 1))}`;
}

// RFC 3464 2.3.6 Diagnostic-Code: "smtp" for a peer's reply, our own type otherwise.
function diagnostic(r: DsnRecipient): string | null {
  if (!r.diagnostic) return null;
  return `${r.remoteMta ? 'smtp' : 'X-Homepost'}; ${field(r.diagnostic)}`;
}

function explanation(input: DsnInput): string {
  const lines = [`This is the mail system at host ${input.hostname}.`, ''];
  const groups: [DsnAction, string][] = [
    ['failed', 'Your message could not be delivered to the recipients below. This is a permanent error; the message will not be retried.'],
    [
      'delayed',
      `Your message has not been delivered to the recipients below yet. Delivery will be retried${input.retryUntil ? ` until ${rfc5322Date(new Date(input.retryUntil))}` : ''}; you do not need to send it again.`,
    ],
    ['delivered', 'Your message was delivered to the recipients below.'],
    ['relayed', 'Your message was passed on to the recipients below by a system that sends no delivery notifications of its own.'],
  ];
  for (const [action, text] of groups) {
    const rs = input.recipients.filter((r) => r.action === action);
    if (!rs.length) continue;
    lines.push(text, '');
    for (const r of rs) {
      const expired = action === 'failed' && r.status.startsWith('4');
      const why = r.diagnostic ? (r.remoteMta ? `${r.remoteMta} said: ${field(r.diagnostic)}` : field(r.diagnostic)) : '';
      lines.push(`<${field(r.address)}>${why ? `: ${why}` : ''}${expired ? ' (gave up: the message was too long in the queue)' : ''}`, '');
    }
  }
  return lines.join('\r\n');
}

function deliveryStatus(input: DsnInput): string {
  const blocks: string[][] = [
    [
      `Reporting-MTA: dns; ${input.hostname}`,
      ...(input.envid ? [`Original-Envelope-Id: ${field(input.envid, 100)}`] : []),
      `Arrival-Date: ${rfc5322Date(new Date(input.arrivedAt))}`,
    ],
  ];
  for (const r of input.recipients) {
    const b = [
      ...(r.orcpt ? [`Original-Recipient: ${original(r.orcpt)}`] : []),
      `Final-Recipient: ${typed(r.address)}`,
      `Action: ${r.action}`,
      `Status: ${r.status}`,
    ];
    if (r.remoteMta) b.push(`Remote-MTA: dns; ${field(r.remoteMta, 255)}`);
    const d = diagnostic(r);
    if (d) b.push(`Diagnostic-Code: ${d}`);
    if (r.lastAttemptAt) b.push(`Last-Attempt-Date: ${rfc5322Date(new Date(r.lastAttemptAt))}`);
    if (r.action === 'delayed' && input.retryUntil) b.push(`Will-Retry-Until: ${rfc5322Date(new Date(input.retryUntil))}`);
    blocks.push(b);
  }
  return blocks.map((b) => `${b.join('\r\n')}\r\n`).join('\r\n');
}

// RFC 3461 4.3: RET=FULL asks for the whole message in a notice. Like Postfix (bounce_size_limit)
// a message larger than this is returned as its header only, which keeps every notice small.
export const DSN_FULL_LIMIT = 100 * 1024;

export function buildDsn(input: DsnInput): Buffer {
  const boundary = `dsn.${randomBytes(12).toString('base64url')}`;
  const actions = new Set(input.recipients.map((r) => r.action));
  const subject = SUBJECTS[(['failed', 'delayed', 'delivered', 'relayed'] as DsnAction[]).find((a) => actions.has(a))!];
  const { headerEnd } = findHeaderEnd(input.original);
  const full = input.ret === 'full' && input.original.length <= DSN_FULL_LIMIT;
  const returned = full ? input.original : input.original.subarray(0, headerEnd);
  const global = input.smtpUtf8;
  const returnedType = full ? (global ? 'message/global' : 'message/rfc822') : global ? 'message/global-headers' : 'text/rfc822-headers';
  const text = explanation(input);
  const textUtf8 = has8bit(Buffer.from(text));
  const inReplyTo = /^Message-ID:[ \t]*(<[^>\r\n]{1,250}>)/im.exec(input.original.toString('latin1', 0, headerEnd))?.[1];
  const head = [
    `From: Mail Delivery System <MAILER-DAEMON@${input.hostname}>`,
    `To: <${input.sender}>`,
    `Subject: ${subject}`,
    `Date: ${rfc5322Date(input.now)}`,
    `Message-ID: ${newMessageId(input.hostname)}`,
    ...(inReplyTo ? [`In-Reply-To: ${inReplyTo}`, `References: ${inReplyTo}`] : []),
    'Auto-Submitted: auto-replied', // RFC 3834 5
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="${boundary}"`,
  ];
  const parts = [
    `${head.join('\r\n')}\r\n\r\nThis is a MIME-encapsulated delivery status notification (RFC 3464).\r\n`,
    `--${boundary}\r\nContent-Description: Notification\r\nContent-Type: text/plain; charset=${textUtf8 ? 'utf-8' : 'us-ascii'}\r\nContent-Transfer-Encoding: ${textUtf8 ? '8bit' : '7bit'}\r\n\r\n${text}\r\n`,
    `--${boundary}\r\nContent-Description: Delivery report\r\nContent-Type: message/${global ? 'global-' : ''}delivery-status\r\n\r\n${deliveryStatus(input)}\r\n`,
    `--${boundary}\r\nContent-Description: ${full ? 'Undelivered message' : 'Message headers'}\r\nContent-Type: ${returnedType}\r\n${has8bit(returned) ? 'Content-Transfer-Encoding: 8bit\r\n' : ''}\r\n`,
  ];
  const tail = `${returned.length && returned[returned.length - 1] !== 0x0a ? '\r\n' : ''}\r\n--${boundary}--\r\n`;
  return Buffer.concat([Buffer.from(parts.join('')), returned, Buffer.from(tail)]);
}
