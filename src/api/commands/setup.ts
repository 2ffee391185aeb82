// `homepost setup`: what is done and what is left on the way to working mail, in the order of the
// setup page's wizard (each item names its step), so the user always sees the next step.
import os from 'node:os';
import { checkDomain } from '../../dns-records/records.ts';
import { readSetting } from '../../settings/define.ts';
import { SERVER_HOSTNAME } from '../../settings/hostname.ts';
import { LAST_PROBE } from '../../queue/probe.ts';
import { describeRelay, OUTBOUND_SETTINGS } from '../../queue/settings.ts';
import { entry, type CommandGroup } from '../group.ts';
import { method, noParams, type ApiContext } from '../method.ts';
import type { CertificateInfo } from '../../tls/manager.ts';

export type ItemState = 'done' | 'todo' | 'warn';

export interface ChecklistItem {
  id: string;
  title: string;
  state: ItemState;
  // What was found, or what to do, in plain words.
  detail: string;
  // The wizard step that does it (1-based).
  step: number;
}

function domainItems(ctx: ApiContext): ChecklistItem[] {
  const domains = ctx.store.domains.list().map((d) => d.name);
  const hostname = readSetting(ctx.store.settings, SERVER_HOSTNAME);
  return [
    {
      id: 'domain',
      title: 'Mail domain',
      state: domains.length ? 'done' : 'todo',
      detail: domains.length ? domains.join(', ') : 'add the domain whose mail this server receives',
      step: 1,
    },
    {
      id: 'hostname',
      title: 'Server name',
      state: hostname ? 'done' : 'todo',
      detail: hostname ?? 'choose the server’s name (mail.<your domain>)',
      step: 1,
    },
  ];
}

function certificateItem(ctx: ApiContext): ChecklistItem {
  let c: CertificateInfo;
  try {
    c = ctx.tls().info();
  } catch {
    // Offline, before the first start made one.
    return { id: 'certificate', title: 'Certificate', state: 'todo', detail: 'none yet: homepost makes one when it starts', step: 2 };
  }
  return {
    id: 'certificate',
    title: 'Certificate',
    state: c.selfSigned ? 'warn' : 'done',
    detail: c.selfSigned
      ? 'self-signed: mail clients ask once to trust it (compare the fingerprint); a Let’s Encrypt certificate avoids that'
      : `issued for ${c.altNames.map((n) => n.replace(/^DNS:/, '')).join(', ')}, valid to ${c.validTo}`,
    step: 2,
  };
}

// Per domain: the records it needs that DNS does not hold yet (optional ones and advice aside).
async function dnsItems(ctx: ApiContext): Promise<ChecklistItem[]> {
  const fallback = ctx.daemon?.options.hostname ?? os.hostname();
  const checks = await Promise.all(ctx.store.domains.list().map((d) => checkDomain(ctx.store, d.name, fallback)));
  return checks.map((c) => {
    const open = c.records.filter((r) => r.kind === 'record' && !r.optional && r.status !== 'found');
    return {
      id: `dns:${c.domain}`,
      title: `DNS records of ${c.domain}`,
      state: open.length ? 'todo' : 'done',
      detail: open.length ? `${open.length} not found yet: ${open.map((r) => `${r.type} ${r.name}`).join(', ')}` : 'every record found',
      step: 3,
    };
  });
}

// The last test message: sent through the relay in use now (or directly, when none) and accepted.
function sendingItem(ctx: ApiContext): ChecklistItem {
  const last = readSetting(ctx.store.settings, LAST_PROBE);
  const smarthost = readSetting(ctx.store.settings, OUTBOUND_SETTINGS.smarthost);
  const relay = smarthost && describeRelay(smarthost);
  const item = { id: 'sending', title: 'Sending out', step: 4 };
  if (!last) return { ...item, state: 'todo', detail: 'send a test message to an address elsewhere' };
  if (last.relay !== relay) return { ...item, state: 'todo', detail: 'the way mail leaves changed since the last test message: send one again' };
  const when = new Date(last.at).toISOString().slice(0, 16).replace('T', ' ');
  return { ...item, state: last.ok ? 'done' : 'todo', detail: `${last.ok ? 'test message accepted' : 'test message failed'} (${when} UTC): ${last.result}` };
}

function accountItems(ctx: ApiContext): ChecklistItem[] {
  const accounts = ctx.store.accounts.list();
  let received = 0;
  for (const a of accounts) received += ctx.store.mailboxes.list(a.id).find((m) => m.name === 'INBOX')?.count ?? 0;
  return [
    {
      id: 'account',
      title: 'First account',
      state: accounts.length ? 'done' : 'todo',
      detail: accounts.length ? accounts.map((a) => a.address).join(', ') : 'make an account for each person',
      step: 5,
    },
    {
      id: 'received',
      title: 'First message received',
      state: received ? 'done' : 'todo',
      detail: received ? `${received} in the inboxes` : 'send a message to your new address from another mail service',
      step: 5,
    },
  ];
}

export async function checklist(ctx: ApiContext): Promise<ChecklistItem[]> {
  return [...domainItems(ctx), certificateItem(ctx), ...(await dnsItems(ctx)), sendingItem(ctx), ...accountItems(ctx)];
}

const show = method({
  offline: true,
  write: false,
  params: noParams,
  run: checklist,
});

const MARK: Record<ItemState, string> = { done: '[x]', todo: '[ ]', warn: '[!]' };

export const setupGroup: CommandGroup = {
  name: 'setup',
  summary: 'what is done and left on the way to working mail',
  entries: [
    entry('', show, {
      summary: 'the setup checklist: domain, server name, certificate, DNS records, sending, accounts',
      text: (items) => items.map((i) => `${MARK[i.state]} ${i.title}: ${i.detail}\n`).join(''),
    }),
  ],
};
