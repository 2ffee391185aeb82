// Inbound checks on mail from the internet: SPF (RFC 7208), DKIM (RFC 6376) and DMARC (RFC 7489)
// with mailauth, recorded as Received-SPF and Authentication-Results (RFC 8601) header fields.
// Runs in a worker thread (src/offload: incoming.ts calls it there); DNS questions go to the main
// thread's resolver, which the session bounds with its deadline. Nothing is rejected here: the
// DATA rules decide (policy/data.dmarc.ts, policy/data.own-domain.ts).
import type { Readable } from 'node:stream';
import type { DnsResolve } from './dns.ts';
import { loadMailauth } from './mailauth.ts';

export interface InboundAuth {
  spf: string;
  // The domain SPF was checked for (the MAIL FROM domain, or the HELO name for the null sender).
  spfDomain: string | null;
  dkim: string;
  // The d= of every signature that passed.
  dkimPass: string[];
  dmarc: string;
  dmarcPolicy: string | null;
  // "Received-SPF: ...\r\nAuthentication-Results: ...\r\n", to put on top of the message.
  header: string;
}

export async function checkInbound(
  input: Buffer | Readable,
  o: { ip: string; helo: string; sender: string; hostname: string; resolve: DnsResolve },
): Promise<InboundAuth> {
  const { authenticate } = await loadMailauth();
  const result = await authenticate(input, {
    ip: o.ip,
    helo: o.helo,
    sender: o.sender,
    mta: o.hostname,
    resolver: o.resolve as never,
    disableArc: true,
    disableBimi: true,
  });
  const rows = result.dkim?.results ?? [];
  const dkim = rows.length ? rows.map((r) => r.status.result) : ['none'];
  const spf = result.spf as { status: { result: string }; domain?: string } | false | undefined;
  return {
    spf: spf ? spf.status.result : 'none',
    spfDomain: spf ? (spf.domain ?? null) : null,
    dkim: dkim.includes('pass') ? 'pass' : dkim[0]!,
    dkimPass: rows.filter((r) => r.status.result === 'pass').map((r) => String((r as { signingDomain?: string }).signingDomain ?? '').toLowerCase()),
    dmarc: result.dmarc ? result.dmarc.status.result : 'none',
    dmarcPolicy: result.dmarc ? result.dmarc.policy : null,
    header: result.headers,
  };
}

// RFC 8601 5: an Authentication-Results field that claims our authserv-id arrived from outside
// and must not be trusted; it is removed before ours is added. The authserv-id leads the value,
// so only its first bytes are read.
export function isForgedResults(raw: Buffer, f: { name: string; valueStart: number; end: number }, authservId: string): boolean {
  if (f.name.toLowerCase() !== 'authentication-results') return false;
  const head = raw.toString('latin1', f.valueStart, Math.min(f.end, f.valueStart + 1024));
  const value = head
    .replace(/\([^()]*\)/g, '')
    .trim()
    .toLowerCase();
  return value.split(/[;\s]/)[0] === authservId.toLowerCase();
}
