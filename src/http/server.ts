// node:http over src/net's listeners: the listener accepts (connection limits, implicit TLS with
// the current certificate) and hands each socket to one http.Server, which parses requests
// (RFC 9112) with timeouts for slow headers, slow requests and idle keep-alive connections, and
// answers what it cannot parse (400, 408, 431) itself.
import http from 'node:http';
import { listen, type Listener, type ListenerOptions } from '../net/listener.ts';

export interface HttpTimeouts {
  headersMs: number; // the request line and header fields
  requestMs: number; // the whole request, body included
  keepAliveMs: number; // idle between requests
}

export const DEFAULT_TIMEOUTS: HttpTimeouts = { headersMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 };

// Where and how to accept, as for every listener, plus what HTTP adds.
export type HttpListenerOptions = Pick<ListenerOptions, 'name' | 'host' | 'port' | 'tls' | 'tracker' | 'log' | 'handshakeTimeoutMs'> & {
  timeouts: HttpTimeouts;
  handler: http.RequestListener;
};

export async function listenHttp(o: HttpListenerOptions): Promise<Listener> {
  let closing = false;
  // The answer each connection is giving, if any.
  const answering = new WeakMap<object, http.ServerResponse>();
  const server = http.createServer(
    {
      headersTimeout: o.timeouts.headersMs,
      requestTimeout: o.timeouts.requestMs,
      keepAliveTimeout: o.timeouts.keepAliveMs,
      connectionsCheckingInterval: Math.min(1000, o.timeouts.headersMs),
      maxHeaderSize: 16 * 1024,
    },
    (req, res) => {
      // Once shutting down, each answer closes its connection.
      if (closing) res.setHeader('Connection', 'close');
      answering.set(req.socket, res);
      res.once('close', () => answering.delete(req.socket));
      o.handler(req, res);
    },
  );
  // node:http enforces headersTimeout and requestTimeout from a timer it starts on 'listening';
  // its sockets come from the listener below, so it is told here.
  server.emit('listening');
  const { timeouts: _timeouts, handler: _handler, ...accept } = o;
  const listener = await listen({
    ...accept,
    onSession(socket) {
      server.emit('connection', socket);
      return {
        // An idle connection is closed; a running answer finishes, then its connection closes.
        shutdown() {
          closing = true;
          const res = answering.get(socket);
          if (!res) socket.destroy();
          else if (!res.headersSent) res.setHeader('Connection', 'close');
          else res.once('finish', () => socket.end());
        },
      };
    },
    refuse(socket, reason) {
      // Plaintext HTTP can say why; over TLS nothing is said before the handshake.
      if (!o.tls) socket.write(`HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 10\r\nContent-Length: ${reason.length}\r\n\r\n${reason}`);
    },
  });
  return {
    ...listener,
    async close() {
      await listener.close();
      // Stops the timeout timer; the server never listened itself.
      server.close();
    },
  };
}
