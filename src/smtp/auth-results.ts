// Inbound checks on mail from the internet: SPF (RFC 7208), DKIM (RFC 6376) and DMARC (RFC 7489)
// with mailauth, recorded as Received-SPF and Authentication-Results (RFC 8601) header fields.
// Nothing is rejected here (data.dmarc.ts may, when configured). DNS goes through the injected
// resolver, bounded by the caller's signal: at the deadline every remaining query fails and the
// checks report temperror.
import { withSignal, type DnsResolve } from './dns.ts';
import { loadMailauth } from './mailauth.ts';

export interface InboundAuth {
  spf: string;
  dkim: string;
  dmarc: string;
  dmarcPolicy: string | null;
  // "Received-SPF: ...\r\nAuthentication-Results: ...\r\n", to put on top of the message.
  header: string;
}

export async function checkInbound(
  raw: Buffer,
  o: { ip: string; helo: string; sender: string; hostname: string; resolve: DnsResolve; signal: AbortSignal },
): Promise<InboundAuth> {
  const { authenticate } = await loadMailauth();
  const result = await authenticate(raw, {
    ip: o.ip,
    helo: o.helo,
    sender: o.sender,
    mta: o.hostname,
    resolver: withSignal(o.resolve, o.signal) as never,
    disableArc: true,
    disableBimi: true,
  });
  const dkim = result.dkim?.results?.length ? result.dkim.results.map((r) => r.status.result) : ['none'];
  return {
    spf: result.spf ? result.spf.status.result : 'none',
    dkim: dkim.includes('pass') ? 'pass' : dkim[0],
    dmarc: result.dmarc ? result.dmarc.status.result : 'none',
    dmarcPolicy: result.dmarc ? result.dmarc.policy : null,
    header: result.headers,
  };
}

// RFC 8601 5: Authentication-Results fields that claim our authserv-id arrived from outside and
// must not be trusted; they are removed before ours is added. Returns the field starts to drop.
export function forgedResultsFields(raw: Buffer, fields: { name: string; start: number; valueStart: number; end: number }[], authservId: string): { start: number; end: number }[] {
  const id = authservId.toLowerCase();
  return fields.filter((f) => {
    if (f.name.toLowerCase() !== 'authentication-results') return false;
    const value = raw.toString('latin1', f.valueStart, f.end).replace(/\(.*?\)/g, '').trim().toLowerCase();
    const claimed = value.split(/[;\s]/)[0];
    return claimed === id;
  });
}
