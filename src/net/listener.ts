// TCP listeners shared by every protocol: implicit TLS (RFC 8314) with the current certificate,
// connection limits in total and per client address, and a graceful close that asks each open
// session to say goodbye.
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from '../log/log.ts';
import type { TlsManager } from '../tls/manager.ts';
import { normalizeAddress } from './connection.ts';

export interface ConnectionLimits {
  maxConnections: number;
  maxPerAddress: number;
}

// Counts open connections; one instance may serve several listeners of one protocol (143 + 993).
export class ConnectionTracker {
  private limits: ConnectionLimits;
  private byAddress = new Map<string, number>();
  total = 0;

  constructor(limits: ConnectionLimits) {
    this.limits = limits;
  }

  // Takes a slot, or says why not.
  acquire(address: string): 'ok' | 'too-many' | 'too-many-from-address' {
    if (this.total >= this.limits.maxConnections) return 'too-many';
    const n = this.byAddress.get(address) ?? 0;
    if (n >= this.limits.maxPerAddress) return 'too-many-from-address';
    this.byAddress.set(address, n + 1);
    this.total++;
    return 'ok';
  }

  release(address: string): void {
    const n = (this.byAddress.get(address) ?? 1) - 1;
    if (n <= 0) this.byAddress.delete(address);
    else this.byAddress.set(address, n);
    this.total--;
  }
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
  // Starts a session on an accepted (and, with tls, handshaken) socket.
  onSession(socket: net.Socket): SessionHandle;
  // Answers a connection over the limits (a protocol greeting that refuses), then it is closed.
  refuse(socket: net.Socket, reason: 'too-many' | 'too-many-from-address'): void;
}

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
    const address = normalizeAddress(raw.remoteAddress ?? '');
    raw.on('error', () => {});
    const verdict = o.tracker.acquire(address);
    if (verdict !== 'ok') {
      o.log.warn('net.refused', { listener: o.name, remote: address, reason: verdict });
      o.refuse(raw, verdict);
      raw.end();
      setTimeout(() => raw.destroy(), 2000).unref();
      return;
    }
    sockets.add(raw);
    let handle: SessionHandle | undefined;
    raw.once('close', () => {
      o.tracker.release(address);
      sockets.delete(raw);
      if (handle) sessions.delete(handle);
    });
    const start = (socket: net.Socket) => {
      handle = o.onSession(socket);
      sessions.add(handle);
    };
    if (!o.tls) return start(raw);
    const secure = new tls.TLSSocket(raw, { isServer: true, ...o.tls.serverOptions() });
    const timer = setTimeout(() => secure.destroy(), o.handshakeTimeoutMs ?? 30_000);
    // A client that leaves before the handshake ends emits no error: the timer goes with it.
    raw.once('close', () => clearTimeout(timer));
    secure.on('error', (e) => {
      clearTimeout(timer);
      o.log.info('tls.handshake_failed', { listener: o.name, remote: address, error: e });
      raw.destroy();
    });
    secure.once('secure', () => {
      clearTimeout(timer);
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
      const deadline = setTimeout(() => sockets.forEach((s) => s.destroy()), 5000);
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
