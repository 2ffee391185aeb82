// POP3's settings (src/api/registry.ts lists every setting). Read when the service starts.
import { duration, integer, readSetting, type SettingsSource } from '../settings/define.ts';

export const POP3_SETTINGS = {
  maxConnections: integer({
    key: 'pop3.maxConnections',
    default: 200,
    min: 1,
    max: 10_000,
    restart: true,
    description: 'POP3 connections at once, ports 110 and 995 together',
  }),
  maxPerAddress: integer({
    key: 'pop3.maxConnectionsPerAddress',
    default: 20,
    min: 1,
    max: 10_000,
    restart: true,
    description: 'POP3 connections at once from one client address (per /64 for IPv6)',
  }),
  maxPreLoginPerAddress: integer({
    key: 'pop3.maxPreLoginPerAddress',
    default: 10,
    min: 1,
    max: 1000,
    restart: true,
    description: 'POP3 connections not yet logged in from one client address',
  }),
  // RFC 1939 3: the autologout timer is at least 10 minutes.
  idleTimeoutMs: duration({
    key: 'pop3.idleTimeoutMs',
    default: 10 * 60_000,
    min: 10 * 60_000,
    max: 24 * 3_600_000,
    restart: true,
    description: 'a client silent this long is disconnected (RFC 1939 3: at least 10 minutes)',
  }),
} as const;

export interface Pop3Options {
  idleTimeoutMs: number;
  maxConnections: number;
  maxPerAddress: number;
  maxPreLoginPerAddress: number;
}

export function readPop3Options(s: SettingsSource): Pop3Options {
  const d = POP3_SETTINGS;
  return {
    idleTimeoutMs: readSetting(s, d.idleTimeoutMs),
    maxConnections: readSetting(s, d.maxConnections),
    maxPerAddress: readSetting(s, d.maxPerAddress),
    maxPreLoginPerAddress: readSetting(s, d.maxPreLoginPerAddress),
  };
}
