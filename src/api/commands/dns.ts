// `homepost dns records|check`: the DNS records a local domain needs (src/dns-records) and
// whether DNS holds them now, for the CLI and the setup page's DNS step. Offline too: they need
// the store and a resolver, not the daemon.
import os from 'node:os';
import type { CheckedRecord } from '../../dns-records/check.ts';
import type { ExpectedRecord } from '../../dns-records/expected.ts';
import { checkDomain, domainRecords, type DomainCheck, type DomainRecords } from '../../dns-records/records.ts';
import { entry, type CommandGroup } from '../group.ts';
import { method, str, type ApiContext } from '../method.ts';
import { table } from '../text.ts';

// The name the daemon was started with, else the machine's (server.hostname comes first).
function fallbackHost(ctx: ApiContext): string {
  return ctx.daemon?.options.hostname ?? os.hostname();
}

// DKIM keys are made the first time a domain's records are asked for, as `dkim show` does.
const records = method({
  offline: true,
  write: true,
  params: (raw) => ({ domain: str(raw, 'domain') }),
  run: (ctx, p) => domainRecords(ctx.store, p.domain, fallbackHost(ctx)),
});

const check = method({
  offline: true,
  write: true,
  params: (raw) => ({ domain: str(raw, 'domain') }),
  run: (ctx, p) => checkDomain(ctx.store, p.domain, fallbackHost(ctx)),
});

const SHORT = 60;

// The record's data as a zone file writes it, without the final dots; long TXT shortened.
function data(r: ExpectedRecord, short: boolean): string {
  const v = r.value ?? '(unknown)';
  const text = r.type === 'MX' ? `${r.priority} ${v}` : r.type === 'SRV' ? `${r.priority} ${r.weight} ${r.port} ${v}` : v;
  return short && text.length > SHORT ? `${text.slice(0, SHORT - 1)}…` : text;
}

function name(r: ExpectedRecord): string {
  return r.name ?? '(your public address)';
}

function describeRecords(r: DomainRecords): string {
  const rows = r.records.map((x) => [x.kind === 'advice' ? `${x.type}*` : x.type, name(x), data(x, true), x.purpose]);
  return [
    ...(r.hostNote ? [`note: ${r.hostNote}\n`] : []),
    table(['TYPE', 'NAME', 'VALUE', 'PURPOSE'], rows),
    "* set by your internet provider, not in your domain's DNS\n",
    "zone file lines (paste into your DNS provider's import, or copy each value):\n",
    r.zone,
  ].join('\n');
}

function detail(x: CheckedRecord): string {
  switch (x.status) {
    case 'found':
      return x.found.join(', ');
    case 'missing':
      return `${x.optional ? 'optional; ' : ''}publish ${data(x, true)}${x.note ? ` (${x.note})` : ''}`;
    case 'different':
      return `found ${x.found.join(', ')}; expected ${data(x, true)}${x.note ? ` (${x.note})` : ''}`;
    case 'error':
      return `could not check: ${x.error}`;
  }
}

// Records that must be found for the domain to work (advice and optional ones aside).
function missing(r: DomainCheck): CheckedRecord[] {
  return r.records.filter((x) => x.status !== 'found' && x.kind === 'record' && !x.optional);
}

function describeCheck(r: DomainCheck): string {
  const rows = r.records.map((x) => [x.status, x.type, name(x), detail(x)]);
  const bad = missing(r).length;
  return [
    ...(r.hostNote ? [`note: ${r.hostNote}\n`] : []),
    table(['STATUS', 'TYPE', 'NAME', 'DETAIL'], rows),
    bad ? `${bad} record(s) to fix; homepost dns records ${r.domain} shows them all\n` : 'every record is published\n',
  ].join('\n');
}

export const dnsGroup: CommandGroup = {
  name: 'dns',
  summary: "the DNS records a domain needs, and whether they're published",
  entries: [
    entry('records', records, {
      summary: 'show the DNS records to publish for a domain, with what each is for',
      args: ['domain'],
      text: describeRecords,
    }),
    entry('check', check, {
      summary: "look each record up in DNS (dns.servers) and say whether it's there (exit 1 when one is missing or different)",
      args: ['domain'],
      text: describeCheck,
      exitCode: (r) => (missing(r).length ? 1 : 0),
    }),
  ],
};
