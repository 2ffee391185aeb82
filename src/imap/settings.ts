// IMAP's settings (src/api/registry.ts lists every setting). Read when the service starts.
import { connectionLimitSettings } from '../net/limit-settings.ts';
import { duration } from '../settings/define.ts';

const MINUTE = 60_000;

export const IMAP_SETTINGS = {
  // A household behind one NAT address, and the benchmark's 200 idling clients, come from one
  // address; before login, mail clients log in within a second, a few connections at a time.
  ...connectionLimitSettings('imap', {
    ports: 'ports 143 and 993 together (an idle client holds one or two)',
    total: 1000,
    perAddress: 300,
    preLogin: 20,
  }),
  // RFC 9051 5.4: the autologout timer is at least 30 minutes.
  idleTimeoutMs: duration({
    key: 'imap.idleTimeoutMs',
    default: 30 * MINUTE,
    min: 30 * MINUTE,
    max: 24 * 60 * MINUTE,
    restart: true,
    description: 'a logged-in client silent this long is logged out (RFC 9051 5.4: at least 30 minutes)',
  }),
  preAuthTimeoutMs: duration({
    key: 'imap.preLoginTimeoutMs',
    default: 3 * MINUTE,
    min: 10_000,
    max: 30 * MINUTE,
    restart: true,
    description: 'a client that has not logged in within this is disconnected',
  }),
  searchBudgetMs: duration({
    key: 'imap.searchBudgetMs',
    // SEARCH TEXT over 50,000 messages that are not in the page cache took 10–19 s on the
    // development machine (Dovecot 6–7 s): a card and a Pi's CPU take several times that.
    default: 2 * MINUTE,
    min: 1000,
    max: 10 * MINUTE,
    restart: true,
    description: 'the longest one SEARCH may work before it ends with NO [LIMIT]',
  }),
} as const;
