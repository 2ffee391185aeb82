// A plain SmtpContext for policy rule tests (style.md: rules are tested by building the object,
// without sockets or a store).
import { parseMailbox, type Mailbox } from '../../src/smtp/address.ts';
import type { Directory, Recipient, SmtpContext } from '../../src/smtp/policy/types.ts';
import { readSmtpSettings, type SmtpSettings } from '../../src/smtp/settings.ts';

export interface ContextOptions {
  listener?: 'mx' | 'submission' | 'submissions';
  account?: { id: number; address: string } | null;
  trusted?: boolean;
  settings?: Partial<SmtpSettings>;
  domains?: string[];
  // address -> where it resolves
  addresses?: Record<string, { accounts: number[]; external: string[] }>;
  own?: Record<number, string[]>;
  usage?: Record<number, { used: number; quota: number }>;
  declaredSize?: number | null;
}

export function directory(o: ContextOptions): Directory {
  return {
    isLocalDomain: (d) => (o.domains ?? ['example.test']).includes(d),
    resolve: (a) => o.addresses?.[a] ?? null,
    ownAddresses: (id) => o.own?.[id] ?? [],
    usage: (id) => o.usage?.[id] ?? { used: 0, quota: 0 },
  };
}

export function makeContext(o: ContextOptions = {}): SmtpContext {
  const settings = { ...readSmtpSettings({ get: (_k, f) => f }, false), ...o.settings };
  return {
    session: {
      id: 'test',
      listener: o.listener ?? 'mx',
      remoteAddress: '192.0.2.1',
      secure: false,
      helo: 'client.example',
      account: o.account ?? null,
      trusted: o.trusted ?? false,
    },
    settings,
    directory: directory(o),
    transaction: { sender: null, declaredSize: o.declaredSize ?? null, recipients: [], results: [] },
  };
}

export function mailbox(address: string): Mailbox {
  return parseMailbox(address.replace(/^<|>$/g, ''), true);
}

export function recipient(address: string): Recipient {
  return { mailbox: mailbox(address), local: [], external: [] };
}
