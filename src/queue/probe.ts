// One test message sent at once, outside the queue, the way mail to its recipient leaves (route.ts:
// the smarthost, a route's relay, or the domain's MX hosts), through the queue's own client
// (client.ts: connect, TLS, AUTH, MAIL/RCPT/DATA) and signed with DKIM when its From is ours, like
// queued mail. The answer says how far it got and, in plain words, the peer's final reply or what
// went wrong: the setup page's "send a test message" button and `homepost smarthost test`.
// Timeouts are capped so that a person gets an answer within a minute.
import { parseMessage } from '../mime/index.ts';
import { structured } from '../settings/define.ts';
import { DkimSigner } from '../smtp/dkim/sign.ts';
import type { DnsResolve } from '../smtp/dns.ts';
import { newMessageId, rfc5322Date } from '../smtp/message.ts';
import type { Store } from '../store/index.ts';
import { Peer, type ClientOptions, type PeerTarget } from './client.ts';
import { isAscii } from '../smtp/downgrade.ts';
import { oneLine, replyCode, statusOf } from './result.ts';
import type { Destination } from './route.ts';
import { describeRelay, type OutboundSettings } from './settings.ts';
import { prepareTransmission } from '../smtp/transmission.ts';
import { peerTargets } from './transaction.ts';

export type ProbeStage = 'route' | 'connect' | 'tls' | 'auth' | 'transaction';

export interface ProbeReply {
  code: number;
  status: string; // RFC 3463 (the one the basic code implies when the peer sent none)
  text: string;
}

export interface ProbeReport {
  ok: boolean;
  from: string;
  to: string;
  via: string; // "relay.example:587 (starttls, AUTH as me)" or "the mail hosts of example.org"
  host: string | null; // the peer it ended with: "relay.example [192.0.2.1]:587"
  stage: ProbeStage; // where it ended ('transaction' when the peer answered the message)
  reply: ProbeReply | null; // the peer's final reply, when there was one
  error: string | null; // what went wrong, in plain words; null on success
  ms: number;
}

// The last test message's outcome, for the setup checklist: when, whether it was accepted, and
// the relay it went through (null: direct), so a changed relay asks for a new test.
export interface LastProbe {
  at: number;
  ok: boolean;
  relay: string | null;
  result: string;
}

export const LAST_PROBE = structured<LastProbe | null>({
  key: 'outbound.lastTest',
  default: null,
  rule: 'the outcome of the last test message',
  parse: (v) => {
    const p = v as LastProbe;
    if (v === null) return null;
    if (
      typeof p !== 'object' ||
      typeof p.at !== 'number' ||
      typeof p.ok !== 'boolean' ||
      typeof p.result !== 'string' ||
      !(p.relay === null || typeof p.relay === 'string')
    )
      throw new Error('not a test outcome');
    return p;
  },
  internal: true,
  description: 'when the last test message was sent, through which relay, and what the other server answered',
});

export interface ProbeOptions {
  store: Store;
  settings: OutboundSettings;
  resolve: DnsResolve;
  from: string;
  to: string;
}

const CONNECT_TIMEOUT_MS = 10_000;
const COMMAND_TIMEOUT_MS = 20_000;
// No further MX host is tried after this long.
const DEADLINE_MS = 30_000;

type NodemailerError = Error & { code?: string; command?: string; response?: string; responseCode?: number; reason?: string };

function splitReply(reply: string): ProbeReply {
  const line = oneLine(reply);
  return { code: replyCode(line) ?? 0, status: statusOf(line), text: line.replace(/^\d{3}[ -](?:\d\.\d{1,3}\.\d{1,3} )?/, '') };
}

function where(t: PeerTarget): string {
  return t.name === t.address ? `${t.name}:${t.port}` : `${t.name} [${t.address}]:${t.port}`;
}

// A failure to open a session (connect, greeting, EHLO, STARTTLS or TLS, AUTH), in plain words.
function openFailure(e: NodemailerError, t: PeerTarget, o: ClientOptions): { stage: ProbeStage; reply: ProbeReply | null; error: string } {
  const at = where(t);
  const message = e.message.replace(/\s+/g, ' ').trim();
  const reply = e.responseCode && e.response ? splitReply(e.response) : null;
  if (e.code === 'EAUTH') {
    return { stage: 'auth', reply, error: reply ? `${at} refused the login: ${oneLine(e.response!)}` : `login to ${at} failed: ${message}` };
  }
  if (/certificate/i.test(message)) return { stage: 'tls', reply: null, error: `the TLS certificate of ${at} is not trusted: ${message}` };
  if (e.code === 'ETLS' || e.reason)
    return {
      stage: 'tls',
      reply,
      error: `TLS with ${at} failed: ${e.reason ?? message}${t.security === 'tls' ? ' (does this port take implicit TLS? 587 usually takes starttls)' : ''}`,
    };
  if (e.code === 'EDNS') return { stage: 'connect', reply: null, error: `${t.address} was not found in DNS` };
  if (/ECONNREFUSED/.test(message)) return { stage: 'connect', reply: null, error: `connection refused by ${at}: nothing accepts connections on that port` };
  if (/EHOSTUNREACH|ENETUNREACH/.test(message)) return { stage: 'connect', reply: null, error: `${at} cannot be reached from here (no route)` };
  if (e.code === 'ETIMEDOUT' && /^connection timeout/i.test(message)) {
    return {
      stage: 'connect',
      reply: null,
      error: `no answer from ${at} within ${o.connectTimeoutMs / 1000} s (a firewall, or the internet provider blocking the port?)`,
    };
  }
  if (e.code === 'ETIMEDOUT') return { stage: 'connect', reply: null, error: `${at} accepted the connection but sent no reply within ${o.timeoutMs / 1000} s` };
  if (reply) return { stage: 'connect', reply, error: `${at} refused the session: ${oneLine(e.response!)}` };
  return { stage: 'connect', reply: null, error: `${at}: ${message}` };
}

// The test message: plain ASCII text (RFC 5322), auto-generated (RFC 3834 5: no auto-replies).
function testMessage(o: ProbeOptions, via: string): Buffer {
  const name = o.settings.heloName;
  return Buffer.from(
    [
      `From: ${o.from}`,
      `To: ${o.to}`,
      'Subject: homepost test message',
      `Date: ${rfc5322Date(new Date())}`,
      `Message-ID: ${newMessageId(name)}`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Auto-Submitted: auto-generated',
      '',
      `This is a test message from the mail server ${name},`,
      `sent through ${via} to check that mail leaves it.`,
      'It needs no answer.',
      '',
    ].join('\r\n'),
  );
}

// The message as the queue would send it: DKIM-signed when its From is a local domain.
async function transmission(o: ProbeOptions, raw: Buffer): Promise<Buffer> {
  if (!o.settings.dkim) return raw;
  const parsed = parseMessage(raw);
  const dkim = await new DkimSigner(o.store).options(parsed);
  if (!dkim) return raw;
  const out = await prepareTransmission({ message: raw, parsed, downgrade: false, dkim });
  return Buffer.from(out.buffer, 0, out.length);
}

export async function sendTestMessage(dest: Exclude<Destination, { kind: 'local' }>, o: ProbeOptions): Promise<ProbeReport> {
  const started = Date.now();
  const via = dest.kind === 'relay' ? describeRelay(dest.relay) : `the mail hosts of ${dest.domain}`;
  const report = (r: Pick<ProbeReport, 'ok' | 'host' | 'stage' | 'reply' | 'error'>): ProbeReport => ({
    from: o.from,
    to: o.to,
    via,
    ...r,
    ms: Date.now() - started,
  });
  const found = await peerTargets(dest, o.settings, o.resolve);
  if (!found.ok) {
    const made = found.fail(o.to);
    return report({ ok: false, host: null, stage: 'route', reply: null, error: made.reply.replace(/^\d{3} \d\.\d{1,3}\.\d{1,3} /, '') });
  }
  const message = await transmission(o, testMessage(o, via));
  const client: ClientOptions = {
    helo: o.settings.heloName,
    connectTimeoutMs: Math.min(o.settings.connectTimeoutMs, CONNECT_TIMEOUT_MS),
    timeoutMs: Math.min(o.settings.timeoutMs, COMMAND_TIMEOUT_MS),
  };
  let last: ProbeReport | null = null;
  for (const target of found.targets) {
    if (last && Date.now() - started > DEADLINE_MS) break;
    let peer: Peer;
    try {
      peer = await Peer.open(target, client);
    } catch (e) {
      last = report({ ok: false, host: where(target), ...openFailure(e as NodemailerError, target, client) });
      continue; // the next MX host, as the queue would
    }
    const smtpUtf8 = !isAscii(o.from) || !isAscii(o.to);
    const result = await peer.send({ from: o.from, recipients: [{ address: o.to, params: '' }], message, eightBit: false, smtpUtf8, ret: null, envid: null });
    const host = where(target);
    if (result.kind === 'failed') {
      peer.abort();
      const reply = result.reply ? splitReply(result.reply) : null;
      const error = result.reply
        ? `${host} refused the message: ${oneLine(result.reply)}`
        : `the connection to ${host} failed during the transaction: ${result.error}`;
      return report({ ok: false, host, stage: 'transaction', reply, error });
    }
    peer.quit();
    const line = result.replies.get(o.to) ?? '451 4.4.2 No reply';
    const reply = splitReply(line);
    const ok = reply.code >= 200 && reply.code < 300;
    return report({ ok, host, stage: 'transaction', reply, error: ok ? null : `${host} refused the message: ${oneLine(line)}` });
  }
  return last!;
}
