// TCP listeners shared by every protocol (IMAP, POP3, SMTP): implicit TLS (RFC 8314) with the
// current certificate, connection limits in total and per client address, and a graceful close
// that asks each open session to say goodbye.
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../log/log.ts';
import type { TlsManager } from '../tls/manager.ts';
import { clientKey, canonicalIp } from './address.ts';

export interface ConnectionLimits {
  maxConnections: number;
  // Per client: an IPv4 address, an IPv6 /64 (clientKey).
  maxPerAddress: number;
  // Of those, before login (IMAP, POP3): what a client that never logs in can hold.
  maxPreLoginPerAddress?: number;
  // Clients the per-address limits do not apply to (SMTP's trusted networks, as Postfix exempts
  // $mynetworks); the total applies to everyone.
  exempt?(address: string): boolean;
}

export type Refusal = 'too-many' | 'too-many-from-address';

// One connection's place in the counts.
export interface Slot {
  // The session logged in: it no longer counts as a connection before login.
  loggedIn(): void;
  // Until settled(), the connection has not shown it is a client at all (its TLS handshake is
  // not done): when every slot is taken, the oldest such connection is closed (evict) to make
  // room for a new one, so silent connections from many addresses cannot hold every slot.
  waiting(evict: () => void): void;
  settled(): void;
  release(): void;
}

// Counts open connections; one instance serves every listener of one protocol (143 + 993; SMTP's
// 25, 587 and 465). Limits given as a function are read at each connection (settings that change
// while the server runs).
export class ConnectionTracker {
  private limits: () => ConnectionLimits;
  private byClient = new Map<string, number>();
  private preLogin = new Map<string, number>();
  // Connections that may be evicted, oldest first.
  private waitingList = new Map<object, { evict: () => void }>();
  total = 0;

  constructor(limits: ConnectionLimits | (() => ConnectionLimits)) {
    this.limits = typeof limits === 'function' ? limits : () => limits;
  }

  // Takes a slot, or says why not. When every slot is taken, the oldest connection that has not
  // yet shown it is a client is closed to make room (a client's own limit is never lifted so).
  acquire(address: string): Slot | Refusal {
    const limits = this.limits();
    const key = clientKey(address);
    const exempt = limits.exempt?.(canonicalIp(address)) ?? false;
    const refusal = this.refusal(limits, key, exempt);
    if (refusal !== 'too-many') return refusal ?? this.take(key);
    const victim = this.waitingList.values().next();
    if (victim.done) return refusal;
    victim.value.evict();
    return this.refusal(limits, key, exempt) ?? this.take(key);
  }

  private refusal(limits: ConnectionLimits, key: string, exempt: boolean): Refusal | null {
    if (this.total >= limits.maxConnections) return 'too-many';
    if (exempt) return null;
    if ((this.byClient.get(key) ?? 0) >= limits.maxPerAddress) return 'too-many-from-address';
    if ((this.preLogin.get(key) ?? 0) >= (limits.maxPreLoginPerAddress ?? Infinity)) return 'too-many-from-address';
    return null;
  }

  private take(key: string): Slot {
    this.total++;
    count(this.byClient, key, 1);
    count(this.preLogin, key, 1);
    let before = true;
    let open = true;
    const id = {};
    const slot: Slot = {
      loggedIn: () => {
        if (!before || !open) return;
        before = false;
        count(this.preLogin, key, -1);
      },
      waiting: (evict) => {
        if (open) {
          this.waitingList.set(id, {
            evict: () => {
              slot.release();
              evict();
            },
          });
        }
      },
      settled: () => void this.waitingList.delete(id),
      release: () => {
        if (!open) return;
        open = false;
        this.waitingList.delete(id);
        this.total--;
        count(this.byClient, key, -1);
        if (before) count(this.preLogin, key, -1);
      },
    };
    return slot;
  }
}

function count(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n <= 0) map.delete(key);
  else map.set(key, n);
}

export interface SessionHandle {
  // Called on shutdown: say goodbye in the protocol's words and close.
  shutdown(): void;
}

export interface ListenerOptions {
  name: string;
  host: string;
  port: number;
  // Implicit TLS when set: the handshake happens before the session starts.
  tls?: TlsManager;
  tracker: ConnectionTracker;
  log: Logger;
  handshakeTimeoutMs?: number;
  // Starts a session on an accepted (and, with tls, handshaken) socket; the session tells its
  // slot when it logs in. The connection counts as gone when the accepted socket closes, or when
  // the session calls ended(): a library that takes the socket over may remove every listener
  // from it (smtp-server does at STARTTLS).
  onSession(socket: net.Socket, slot: Slot, ended: () => void): SessionHandle;
  // Answers a connection over the limits (a protocol greeting that refuses), then it is closed.
  refuse(socket: net.Socket, reason: Refusal): void;
}

// A started listener (a TCP port, or the control socket with port 0), as `homepost status` lists it.
export interface Listener {
  name: string;
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function listen(o: ListenerOptions): Promise<Listener> {
  const sessions = new Set<SessionHandle>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (raw) => {
    const address = canonicalIp(raw.remoteAddress ?? '');
    raw.on('error', () => {});
    const slot = o.tracker.acquire(address);
    if (typeof slot === 'string') {
      o.log.warn('net.refused', { listener: o.name, remote: address, reason: slot });
      o.refuse(raw, slot);
      raw.end();
      setTimeout(() => raw.destroy(), 2000).unref();
      return;
    }
    sockets.add(raw);
    let handle: SessionHandle | undefined;
    const ended = () => {
      slot.release();
      sockets.delete(raw);
      if (handle) sessions.delete(handle);
    };
    raw.once('close', ended);
    const start = (socket: net.Socket) => {
      handle = o.onSession(socket, slot, ended);
      if (!raw.destroyed) sessions.add(handle);
    };
    if (!o.tls) return start(raw);
    const secure = new tls.TLSSocket(raw, { isServer: true, ...o.tls.serverOptions() });
    const timer = setTimeout(() => secure.destroy(), o.handshakeTimeoutMs ?? 30_000);
    // Until the handshake is done the connection may be closed to make room for another.
    slot.waiting(() => {
      o.log.info('net.evicted', { listener: o.name, remote: address, reason: 'TLS handshake not done while every slot was taken' });
      secure.destroy();
    });
    // A client that leaves before the handshake ends emits no error: the timer goes with it.
    raw.once('close', () => clearTimeout(timer));
    secure.on('error', (e) => {
      clearTimeout(timer);
      o.log.info('tls.handshake_failed', { listener: o.name, remote: address, error: e });
      raw.destroy();
    });
    secure.once('secure', () => {
      clearTimeout(timer);
      slot.settled();
      start(secure);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  o.log.info('net.listening', { listener: o.name, host: o.host, port, tls: Boolean(o.tls) });
  return {
    name: o.name,
    host: o.host,
    port,
    async close() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sessions) s.shutdown();
      // Sessions get a moment to finish their goodbye; then whatever is left is cut.
      const deadline = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, 5000);
      await closed;
      clearTimeout(deadline);
    },
  };
}

// Starts listeners in order; if one cannot start, closes those already started and rethrows.
export async function startAll(starts: (() => Promise<Listener>)[]): Promise<Listener[]> {
  const started: Listener[] = [];
  try {
    for (const start of starts) started.push(await start());
    return started;
  } catch (e) {
    await Promise.allSettled(started.map((l) => l.close()));
    throw e;
  }
}
