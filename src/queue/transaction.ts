// One delivery attempt of one queue entry to one destination (a domain's MX hosts, or a relay):
// every recipient of that destination in one transaction (RFC 5321 3.3), an idle session to the
// same destination reused when there is one (pool.ts), otherwise the hosts in order
// (RFC 5321 5.1: MX preference, each host's addresses) until one answers the transaction. A host
// that cannot be reached, greets with an error, drops the connection or refuses the sender
// temporarily (4xx, 421) makes way for the next; one that answers the recipients decides for them.
// The message is prepared for the peer it goes to: 8BITMIME/SMTPUTF8 downgrade rules
// (downgrade.ts), then DKIM (src/smtp/dkim), then the RFC 3461 parameters it understands.
import { domainToASCII } from 'node:url';
import type { Logger } from '../log/log.ts';
import type { QueueEntry, QueueRecipient } from '../store/index.ts';
import type { DnsResolve } from '../smtp/dns.ts';
import { encodeUtf8AddrXtext, encodeXtext } from '../smtp/esmtp-params.ts';
import { Peer, type PeerTarget } from './client.ts';
import { isAscii } from '../smtp/downgrade.ts';
import { resolveMx } from './mx.ts';
import type { IdlePeers } from './pool.ts';
import { fromReply, local, type AttemptResult } from './result.ts';
import type { Destination } from './route.ts';
import type { OutboundSettings } from './settings.ts';

export interface RemoteContext {
  settings: OutboundSettings;
  resolve: DnsResolve;
  idle: IdlePeers; // sessions to reuse
  // Takes a session that is fit for another transaction once this one is recorded.
  keep(peer: Peer): void;
  // The queued message: whether its body or its header has 8-bit octets.
  eightBit: boolean;
  utf8Header: boolean;
  // The message as sent, DKIM-signed when it is ours, and downgraded to 7 bits when asked
  // (prepared in a worker: transmission.ts).
  transmission(downgrade: boolean): Promise<Buffer>;
  // The envelope sender to use (the entry's, or its SRS form for forwarded mail).
  mailFrom: string;
  // Registers a session in use, so shutdown can abandon it; returns the unregister function.
  track(peer: Peer): () => void;
  signal: AbortSignal; // aborted at shutdown
  log: Logger;
}

type Prepared = { message: Buffer; eightBit: boolean; smtpUtf8: boolean; from: string; to: Map<string, string> } | { fail: (address: string) => AttemptResult };

// local@domain with the domain as an A-label, or null when the local part is not ASCII.
function asciiAddress(address: string): string | null {
  const at = address.lastIndexOf('@');
  if (at < 0) return address;
  const localPart = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (!isAscii(localPart)) return null;
  if (domain.startsWith('[') || isAscii(domain)) return address;
  const ascii = domainToASCII(domain.toLowerCase());
  return ascii ? `${localPart}@${ascii}` : null;
}

// RFC 3461 4.1, 4.2: NOTIFY and ORCPT for a peer that offers DSN.
function rcptParams(r: QueueRecipient): string {
  const params: string[] = [];
  if (r.notify) params.push(`NOTIFY=${r.notify.length ? r.notify.map((n) => n.toUpperCase()).join(',') : 'NEVER'}`);
  if (r.orcpt) {
    const semi = r.orcpt.indexOf(';');
    const type = r.orcpt.slice(0, semi);
    const value = r.orcpt.slice(semi + 1);
    params.push(`ORCPT=${type};${type === 'utf-8' ? encodeUtf8AddrXtext(value) : encodeXtext(value)}`);
  }
  return params.join(' ');
}

export type Targets = { ok: true; targets: PeerTarget[] } | { ok: false; fail: (address: string) => AttemptResult };

// The hosts to try for a destination, in order; or, when there are none, what each recipient gets.
export async function peerTargets(dest: Exclude<Destination, { kind: 'local' }>, settings: OutboundSettings, resolve: DnsResolve): Promise<Targets> {
  if (dest.kind === 'relay') {
    const r = dest.relay;
    const auth = r.user && r.password ? { user: r.user, pass: r.password } : null;
    return { ok: true, targets: [{ name: r.host, address: r.host, port: r.port, security: r.security, auth, verifyCertificate: r.verifyCertificate }] };
  }
  const mx = await resolveMx(dest.domain, resolve);
  if (!mx.ok) return mx;
  // MX hosts are not authenticated here (no DANE or MTA-STS yet): certificates are not checked.
  return {
    ok: true,
    targets: mx.hosts.flatMap((h) =>
      h.addresses.map(
        (address): PeerTarget => ({ name: h.name, address, port: settings.port, security: 'opportunistic', auth: null, verifyCertificate: false }),
      ),
    ),
  };
}

export async function deliverRemote(
  entry: QueueEntry,
  recipients: QueueRecipient[],
  dest: Exclude<Destination, { kind: 'local' }>,
  ctx: RemoteContext,
): Promise<AttemptResult[]> {
  const { settings } = ctx;
  const interrupted = () => recipients.map((r) => local(r.address, 'interrupted', 451, '4.3.2', 'Delivery interrupted: homepost was stopping'));
  const found = await peerTargets(dest, settings, ctx.resolve);
  if (!found.ok) return recipients.map((r) => found.fail(r.address));
  const prepared = new Map<boolean, Buffer>();
  let last: (address: string) => AttemptResult = (a) => local(a, 'deferred', 451, '4.4.1', 'No mail host could be reached');

  const prepare = async (peer: Peer): Promise<Prepared> => {
    let eightBit = entry.bodyType === '8bitmime' || ctx.eightBit;
    let downgrade = false;
    if (eightBit && !peer.has('8BITMIME')) {
      downgrade = true; // RFC 6152 3
      eightBit = false;
    }
    const to = new Map<string, string>();
    let from = ctx.mailFrom;
    // RFC 6531 3.4: SMTPUTF8 only when the message needs it.
    const utf8Header = entry.smtpUtf8 && ctx.utf8Header;
    let smtpUtf8 = utf8Header || !isAscii(from) || recipients.some((r) => !isAscii(r.address));
    if (smtpUtf8 && !peer.has('SMTPUTF8')) {
      // RFC 6531 3.2: no downgrade; an IDN domain still travels as its A-label.
      if (utf8Header) return { fail: (a) => local(a, 'failed', 554, '5.6.9', `UTF-8 header cannot be sent: ${peer.target.name} does not support SMTPUTF8`) };
      const asciiFrom = asciiAddress(from);
      if (asciiFrom === null)
        return { fail: (a) => local(a, 'failed', 553, '5.6.7', `Non-ASCII sender address cannot be sent: ${peer.target.name} does not support SMTPUTF8`) };
      from = asciiFrom;
      for (const r of recipients) {
        const ascii = asciiAddress(r.address);
        if (ascii === null)
          return { fail: (a) => local(a, 'failed', 553, '5.6.7', `Non-ASCII address cannot be sent: ${peer.target.name} does not support SMTPUTF8`) };
        to.set(r.address, ascii);
      }
      smtpUtf8 = false;
    } else {
      for (const r of recipients) to.set(r.address, r.address);
    }
    let message = prepared.get(downgrade);
    if (!message) {
      message = await ctx.transmission(downgrade);
      prepared.set(downgrade, message);
    }
    return { message, eightBit: eightBit && peer.has('8BITMIME'), smtpUtf8, from, to };
  };

  // The transaction on one session: the results, or null to try the next host.
  const attempt = async (peer: Peer): Promise<AttemptResult[] | null> => {
    const untrack = ctx.track(peer);
    try {
      const p = await prepare(peer);
      if (ctx.signal.aborted) {
        peer.abort();
        return interrupted();
      }
      if ('fail' in p) {
        ctx.keep(peer);
        return recipients.map((r) => p.fail(r.address));
      }
      const dsn = peer.has('DSN');
      const sent = recipients.map((r) => ({ queued: r, address: p.to.get(r.address)!, params: dsn ? rcptParams(r) : '' }));
      const result = await peer.send({
        from: p.from,
        recipients: sent.map(({ address, params }) => ({ address, params })),
        message: p.message,
        eightBit: p.eightBit,
        smtpUtf8: p.smtpUtf8,
        ret: dsn && entry.ret ? (entry.ret === 'full' ? 'FULL' : 'HDRS') : null,
        envid: dsn ? entry.envid : null,
      });
      if (result.kind === 'failed') {
        peer.abort();
        if (result.aborted) return interrupted();
        const reply = result.reply;
        if (reply && result.permanent) return recipients.map((r) => fromReply(r.address, reply, peer.target.name));
        last = reply
          ? (a) => ({ ...fromReply(a, reply, peer.target.name), outcome: 'deferred' })
          : (a) => local(a, 'deferred', 451, '4.4.2', `${peer.target.name} [${peer.target.address}]: ${result.error}`);
        return null;
      }
      if (!result.clean && !(await peer.reset())) peer.abort();
      else ctx.keep(peer);
      return sent.map(({ queued, address }) => {
        const res = fromReply(queued.address, result.replies.get(address) ?? '451 4.4.2 No reply', peer.target.name);
        // RFC 3461 5.2.2: a peer without DSN ends what we can report: "relayed".
        return res.outcome === 'delivered' ? { ...res, successAction: dsn ? null : 'relayed' } : res;
      });
    } finally {
      untrack();
    }
  };

  const reused = ctx.idle.take(dest.key);
  if (reused) {
    const r = await attempt(reused);
    if (r) return r;
  }
  for (const target of found.targets) {
    if (ctx.signal.aborted) return interrupted();
    let peer: Peer;
    try {
      peer = await Peer.open(target, {
        helo: settings.heloName,
        connectTimeoutMs: settings.connectTimeoutMs,
        timeoutMs: settings.timeoutMs,
        signal: ctx.signal,
      });
    } catch (e) {
      if (ctx.signal.aborted) return interrupted();
      const err = e as Error & { code?: string; response?: string; responseCode?: number };
      const reply = err.responseCode && err.responseCode >= 400 && err.response ? err.response : null;
      last = reply
        ? (a) => ({ ...fromReply(a, reply, target.name), outcome: 'deferred' })
        : (a) =>
            local(
              a,
              'deferred',
              err.code === 'EAUTH' ? 454 : 451,
              err.code === 'EAUTH' ? '4.7.0' : '4.4.1',
              `${target.name} [${target.address}]:${target.port}: ${err.message.replace(/\s+/g, ' ').slice(0, 300)}`,
            );
      ctx.log.info('queue.connect_failed', { host: target.name, address: target.address, port: target.port, error: err.message.slice(0, 300), code: err.code });
      continue;
    }
    const r = await attempt(peer);
    if (r) return r;
  }
  return recipients.map((r) => last(r.address));
}
