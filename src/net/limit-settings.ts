// The connection limits a login protocol declares as settings (in total, per client address, and
// per address before login), under its own key prefix, and read into the form the connection
// tracker takes. IMAP and POP3 declare theirs here; SMTP's live with its relay settings.
import { integer, readSetting, type SettingDef, type SettingsSource } from '../settings/define.ts';
import type { ConnectionLimits } from './listener.ts';

export interface LimitSettings {
  maxConnections: SettingDef<number>;
  maxPerAddress: SettingDef<number>;
  maxPreLoginPerAddress: SettingDef<number>;
}

export function connectionLimitSettings(protocol: 'imap' | 'pop3', o: { ports: string; total: number; perAddress: number; preLogin: number }): LimitSettings {
  const name = protocol.toUpperCase();
  const shared = { min: 1, restart: true };
  return {
    maxConnections: integer({
      ...shared,
      key: `${protocol}.maxConnections`,
      default: o.total,
      max: 10_000,
      description: `${name} connections at once, ${o.ports}`,
    }),
    maxPerAddress: integer({
      ...shared,
      key: `${protocol}.maxConnectionsPerAddress`,
      default: o.perAddress,
      max: 10_000,
      description: `${name} connections at once from one client address (per /64 for IPv6)`,
    }),
    maxPreLoginPerAddress: integer({
      ...shared,
      key: `${protocol}.maxPreLoginPerAddress`,
      default: o.preLogin,
      max: 1000,
      description: `${name} connections not yet logged in from one client address`,
    }),
  };
}

export function readConnectionLimits(s: SettingsSource, d: LimitSettings): ConnectionLimits {
  return {
    maxConnections: readSetting(s, d.maxConnections),
    maxPerAddress: readSetting(s, d.maxPerAddress),
    maxPreLoginPerAddress: readSetting(s, d.maxPreLoginPerAddress),
  };
}
