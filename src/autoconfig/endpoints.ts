// What a mail client needs to reach this server: the host name and, for each way in, the port
// and its TLS (RFC 8314: implicit TLS first, STARTTLS as the alternative). Every answer of this
// folder (the API's client settings, Thunderbird's autoconfig, Outlook's autodiscover, Apple's
// profile) is written from this one list, so they never disagree.
import { PRODUCTION_PORTS, type Service } from '../config/options.ts';
import type { Listener } from '../net/listener.ts';

export type Protocol = 'imap' | 'pop3' | 'smtp';
// tls: TLS from the first byte (RFC 8314 3); starttls: the protocol's upgrade (RFC 3207, RFC
// 2595, RFC 9051 6.2.1).
export type Security = 'tls' | 'starttls';

export interface Endpoint {
  protocol: Protocol;
  port: number;
  security: Security;
}

export interface ServerEndpoints {
  hostname: string;
  // Receiving (IMAP, then POP3) and sending (SMTP submission), the preferred first.
  incoming: Endpoint[];
  outgoing: Endpoint[];
}

const WAYS: [Service, Protocol, Security][] = [
  ['imaps', 'imap', 'tls'],
  ['imap', 'imap', 'starttls'],
  ['pop3s', 'pop3', 'tls'],
  ['pop3', 'pop3', 'starttls'],
  ['submissions', 'smtp', 'tls'],
  ['submission', 'smtp', 'starttls'],
];

// The port each service listens on: the running daemon's listeners (the actual ports, so --dev
// and --listen are told as they are; a service that does not listen is left out), or, without
// a daemon, the standard ports.
export type PortOf = (service: Service) => number | null;

export function listenerPorts(listeners: readonly Listener[]): PortOf {
  return (service) => listeners.find((l) => l.name === service && l.port > 0)?.port ?? null;
}

export const productionPorts: PortOf = (service) => PRODUCTION_PORTS[service];

export function serverEndpoints(hostname: string, portOf: PortOf): ServerEndpoints {
  const all = WAYS.flatMap(([service, protocol, security]) => {
    const port = portOf(service);
    return port === null ? [] : [{ protocol, port, security }];
  });
  return { hostname, incoming: all.filter((e) => e.protocol !== 'smtp'), outgoing: all.filter((e) => e.protocol === 'smtp') };
}

// The first endpoint of a protocol with implicit TLS, else any of it (Outlook's and Apple's
// formats name one server per protocol).
export function preferred(list: Endpoint[], protocol: Protocol): Endpoint | undefined {
  const of = list.filter((e) => e.protocol === protocol);
  return of.find((e) => e.security === 'tls') ?? of[0];
}
