// Thunderbird's autoconfig answer, the clientConfig 1.1 format
// (https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat). The user name is the
// %EMAILADDRESS% placeholder the client fills in, so the answer is the same for every address of
// the domain and says nothing about which accounts exist.
import type { Endpoint, ServerEndpoints } from './endpoints.ts';
import { escapeXml } from './xml.ts';

// socketType: SSL is implicit TLS, STARTTLS the upgrade.
function server(tag: 'incomingServer' | 'outgoingServer', hostname: string, e: Endpoint): string {
  return [
    `    <${tag} type="${e.protocol}">`,
    `      <hostname>${escapeXml(hostname)}</hostname>`,
    `      <port>${e.port}</port>`,
    `      <socketType>${e.security === 'tls' ? 'SSL' : 'STARTTLS'}</socketType>`,
    // The password is sent as it is, inside TLS (SASL PLAIN, LOGIN or IMAP LOGIN).
    '      <authentication>password-cleartext</authentication>',
    '      <username>%EMAILADDRESS%</username>',
    `    </${tag}>`,
  ].join('\n');
}

export function clientConfigXml(domain: string, s: ServerEndpoints): string {
  const d = escapeXml(domain);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<clientConfig version="1.1">',
    `  <emailProvider id="${d}">`,
    `    <domain>${d}</domain>`,
    `    <displayName>${d} (${escapeXml(s.hostname)})</displayName>`,
    `    <displayShortName>${d}</displayShortName>`,
    ...s.incoming.map((e) => server('incomingServer', s.hostname, e)),
    ...s.outgoing.map((e) => server('outgoingServer', s.hostname, e)),
    '  </emailProvider>',
    '</clientConfig>',
    '',
  ].join('\n');
}
