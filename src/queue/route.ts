// Which way a recipient's mail leaves: delivered here (a local domain), directly to the domain's
// MX hosts, or through a relay (the smarthost, or a per-domain route: outbound.routes, whose
// entry for "example.org" also covers its subdomains unless they have their own). Recipients with
// the same destination key travel together: one transaction per domain for direct delivery, one
// per relay for all domains routed through it.
import { createHash } from 'node:crypto';
import { domainToASCII } from 'node:url';
import type { OutboundSettings, Relay } from './settings.ts';

export type Destination = { kind: 'local'; key: 'local' } | { kind: 'mx'; key: string; domain: string } | { kind: 'relay'; key: string; relay: Relay };

// The domain a recipient is routed by: the A-label in lowercase, an address literal as given.
export function routingDomain(address: string): string {
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return domain.startsWith('[') ? domain : domainToASCII(domain.toLowerCase()) || domain.toLowerCase();
}

// Sessions are reused per key: a changed relay setting (password included, as a digest: keys
// appear in logs) means new sessions.
function relay(r: Relay): Destination {
  const setting = createHash('sha256').update(JSON.stringify(r)).digest('hex').slice(0, 12);
  return { kind: 'relay', key: `relay:${r.host}:${r.port}:${setting}`, relay: r };
}

export function routeOf(address: string, settings: OutboundSettings, isLocal: (domain: string) => boolean): Destination {
  const domain = routingDomain(address);
  if (!domain.startsWith('[') && isLocal(domain)) return { kind: 'local', key: 'local' };
  let route = settings.routes[domain];
  for (let d = domain; route === undefined && d.includes('.'); ) {
    d = d.slice(d.indexOf('.') + 1);
    route = settings.routes[d];
  }
  const direct: Destination = { kind: 'mx', key: `mx:${domain}`, domain };
  if (route === undefined || route === 'smarthost') return settings.smarthost ? relay(settings.smarthost) : direct;
  if (route === 'direct') return direct;
  return relay(route);
}
