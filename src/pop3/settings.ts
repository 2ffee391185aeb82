// POP3's settings (src/api/registry.ts lists every setting). Read when the service starts.
import type { ConnectionLimits } from '../net/listener.ts';
import { connectionLimitSettings, readConnectionLimits } from '../net/limit-settings.ts';
import { duration, readSetting, type SettingsSource } from '../settings/define.ts';

export const POP3_SETTINGS = {
  ...connectionLimitSettings('pop3', { ports: 'ports 110 and 995 together', total: 200, perAddress: 20, preLogin: 10 }),
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

export interface Pop3Options extends ConnectionLimits {
  idleTimeoutMs: number;
}

export function readPop3Options(s: SettingsSource): Pop3Options {
  return { ...readConnectionLimits(s, POP3_SETTINGS), idleTimeoutMs: readSetting(s, POP3_SETTINGS.idleTimeoutMs) };
}
