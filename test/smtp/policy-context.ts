// A plain SmtpContext for policy rule tests (rules are tested by building the object,
// without sockets or a store).
import { parseMailbox, type Mailbox } from '../../src/smtp/address.ts';
import { originatorAddresses } from '../../src/mime/address.ts';
import type { InboundAuth } from '../../src/smtp/auth-results.ts';
import type { Originators } from '../../src/smtp/incoming.ts';
import type { Directory, IncomingMessage, Recipient, SmtpContext } from '../../src/smtpserver/policy/types.ts';
import type { ClientLookups } from '../../src/smtp/reputation/lookups.ts';
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
  helo?: string;
  remoteAddress?: string;
  lookups?: ClientLookups;
  // The store's answer to a greylist attempt; by default every attempt passes.
  greylist?: Directory['greylist'];
}

// DNS that knows nothing: no list holds the client, no reverse name.
const NO_LOOKUPS: ClientLookups = {
  zone: async (_ip, zone) => ({ zone, status: 'clear', detail: 'ENOTFOUND' }),
  fcrdns: async () => ({ result: 'none', name: null }),
};

export function directory(o: ContextOptions): Directory {
  return {
    isLocalDomain: (d) => (o.domains ?? ['example.test']).includes(d),
    hostname: 'mail.example.test',
    resolve: (a) => o.addresses?.[a] ?? null,
    ownAddresses: (id) => o.own?.[id] ?? [],
    usage: (id) => o.usage?.[id] ?? { used: 0, quota: 0 },
    greylist: o.greylist ?? (async () => 'pass'),
  };
}

export function makeContext(o: ContextOptions = {}): SmtpContext {
  const settings = { ...readSmtpSettings({ get: (_k, f) => f }, false), ...o.settings };
  return {
    session: {
      id: 'test',
      listener: o.listener ?? 'mx',
      remoteAddress: o.remoteAddress ?? '192.0.2.1',
      secure: false,
      helo: o.helo ?? 'client.example',
      account: o.account ?? null,
      trusted: o.trusted ?? false,
    },
    settings,
    directory: directory(o),
    lookups: o.lookups ?? NO_LOOKUPS,
    transaction: { sender: null, declaredSize: o.declaredSize ?? null, recipients: [], results: [], junk: [] },
  };
}

// What a DATA rule sees of a message: From/Sender/Resent-From field values (as written in the
// header, parsed the way the server parses them) and the inbound check results.
export function incoming(o: { from?: string[]; sender?: string[]; resentFrom?: string[]; auth?: Partial<InboundAuth> | null } = {}): IncomingMessage {
  const field = (values: string[] = []): Originators => {
    const parsed = values.map(originatorAddresses);
    return { addresses: parsed.flatMap((p) => p.addresses), malformed: parsed.some((p) => p.malformed) };
  };
  const auth = o.auth ? { spf: 'none', spfDomain: null, dkim: 'none', dkimPass: [], dmarc: 'none', dmarcPolicy: null, header: '', ...o.auth } : null;
  return { size: 10, from: field(o.from), sender: field(o.sender), resentFrom: field(o.resentFrom), auth };
}

export function mailbox(address: string): Mailbox {
  return parseMailbox(address.replace(/^<|>$/g, ''), true);
}

export function recipient(address: string): Recipient {
  return { mailbox: mailbox(address), local: [], external: [] };
}
