// The server's host name: the name it greets with in SMTP, IMAP and POP3, sends in EHLO, and
// puts first in a generated certificate. The setup page sets it (mail.<domain> by default there).
import { normalizeDomain } from '../store/addresses.ts';
import { readSetting, text, type SettingsSource } from './define.ts';

export const SERVER_HOSTNAME = text({
  key: 'server.hostname',
  default: null,
  defaultText: "--hostname, else the machine's host name",
  rule: 'a host name like mail.example.org',
  test: (s) => s.includes('.') && normalizeDomain(s) !== null,
  description: 'the name this server greets with; it should match the reverse DNS (PTR) of the public address',
});

export function serverHostname(s: SettingsSource, fallback: string): string {
  return readSetting(s, SERVER_HOSTNAME) ?? fallback;
}
