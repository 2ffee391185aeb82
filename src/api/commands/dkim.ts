// `homepost dkim show|rotate`: the DKIM keys outbound mail of a local domain is signed with
// (src/smtp/dkim: keys.ts, txt-record.ts; kept by src/store/dkim.ts) and the DNS TXT records to publish for them.
import { ensureDkimKeys, rotateDkimKeys } from '../../smtp/dkim/keys.ts';
import { dkimTxtRecords, type DkimDnsRecord } from '../../smtp/dkim/txt-record.ts';
import { entry, type CommandGroup } from '../group.ts';
import { method, str, type ApiContext } from '../method.ts';

export interface DkimResult {
  domain: string;
  records: (DkimDnsRecord & { algorithm: string; createdAt: number })[];
}

async function records(ctx: ApiContext, domain: string, rotate: boolean): Promise<DkimResult> {
  const rec = rotate ? await rotateDkimKeys(ctx.store, domain) : await ensureDkimKeys(ctx.store, domain);
  const dns = dkimTxtRecords(rec);
  return { domain: rec.domain, records: rec.keys.map((k, i) => ({ ...dns[i], algorithm: k.algorithm, createdAt: k.createdAt })) };
}

// Keys are made the first time a domain's records are asked for (or its first mail is signed).
const show = method({
  offline: true,
  write: true,
  params: (raw) => ({ domain: str(raw, 'domain') }),
  run: (ctx, p) => records(ctx, p.domain, false),
});

const rotate = method({
  offline: true,
  write: true,
  params: (raw) => ({ domain: str(raw, 'domain') }),
  run: (ctx, p) => records(ctx, p.domain, true),
});

// Zone-file lines: the value in quoted strings of at most 255 octets (RFC 1035 5.1).
function describe(r: DkimResult): string {
  return r.records.map((x) => `; ${x.algorithm}\n${x.name}. IN TXT ( ${x.strings.map((s) => `"${s}"`).join('\n    ')} )\n`).join('\n');
}

export const dkimGroup: CommandGroup = {
  name: 'dkim',
  summary: 'DKIM signing keys and the DNS records to publish',
  entries: [
    entry('show', show, { summary: "show a domain's DKIM DNS records (keys are made on first use)", args: ['domain'], text: describe }),
    entry('rotate', rotate, {
      summary: 'make new DKIM keys under new selectors (publish the new records; keep the old ones a few days)',
      args: ['domain'],
      confirm: (p) => `Sign mail of ${String(p.domain)} with new keys from now on?`,
      text: (r) => `new keys; publish these records:\n${describe(r)}`,
    }),
  ],
};
