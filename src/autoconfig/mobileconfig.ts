// An Apple configuration profile (.mobileconfig, an XML property list) that adds one mail account
// to an iPhone, iPad or Mac: a com.apple.mail.managed payload with the IMAP and SMTP servers,
// their ports and TLS, and the address as the user name. No password: the device asks for it.
// Unsigned (the device says so when installing). The identifier depends on the server and the
// address only, so installing a newer profile for the same account replaces the older one.
import { createHash, randomUUID } from 'node:crypto';
import { preferred, type Endpoint, type ServerEndpoints } from './endpoints.ts';
import { escapeXml } from './xml.ts';

export const MOBILECONFIG_TYPE = 'application/x-apple-aspen-config';

type Value = string | number | boolean | Value[] | { [key: string]: Value };

// Property list XML (Apple's PropertyList-1.0 DTD): dict, array, string, integer, true/false.
function plistValue(v: Value, indent: string): string {
  if (typeof v === 'string') return `${indent}<string>${escapeXml(v)}</string>`;
  if (typeof v === 'number') return `${indent}<integer>${v}</integer>`;
  if (typeof v === 'boolean') return `${indent}<${v}/>`;
  const inner = `${indent}  `;
  if (Array.isArray(v)) return [`${indent}<array>`, ...v.map((x) => plistValue(x, inner)), `${indent}</array>`].join('\n');
  return [`${indent}<dict>`, ...Object.entries(v).flatMap(([k, x]) => [`${inner}<key>${escapeXml(k)}</key>`, plistValue(x, inner)]), `${indent}</dict>`].join(
    '\n',
  );
}

// "mail.example.org" -> "org.example.mail": payload identifiers are reverse-DNS names.
function reverseDns(hostname: string): string {
  return hostname.split('.').reverse().join('.');
}

function server(side: 'Incoming' | 'Outgoing', hostname: string, e: Endpoint, address: string): Record<string, Value> {
  return {
    [`${side}MailServerAuthentication`]: 'EmailAuthPassword',
    [`${side}MailServerHostName`]: hostname,
    [`${side}MailServerPortNumber`]: e.port,
    // UseSSL: TLS from the first byte; false means STARTTLS when the server offers it.
    [`${side}MailServerUseSSL`]: e.security === 'tls',
    [`${side}MailServerUsername`]: address,
  };
}

// The profile, or null when the server has no IMAP or no submission port listening.
export function mobileconfig(address: string, s: ServerEndpoints): string | null {
  const imap = preferred(s.incoming, 'imap');
  const smtp = preferred(s.outgoing, 'smtp');
  if (!imap || !smtp) return null;
  const id = `${reverseDns(s.hostname)}.homepost.${createHash('sha256').update(address).digest('hex').slice(0, 16)}`;
  const account: Record<string, Value> = {
    EmailAccountDescription: address,
    EmailAccountType: 'EmailTypeIMAP',
    EmailAddress: address,
    ...server('Incoming', s.hostname, imap, address),
    ...server('Outgoing', s.hostname, smtp, address),
    OutgoingPasswordSameAsIncomingPassword: true,
    PayloadDescription: `Mail account ${address}`,
    PayloadDisplayName: address,
    PayloadIdentifier: `${id}.mail`,
    PayloadType: 'com.apple.mail.managed',
    PayloadUUID: randomUUID().toUpperCase(),
    PayloadVersion: 1,
  };
  const profile: Record<string, Value> = {
    PayloadContent: [account],
    PayloadDescription: `Adds the mail account ${address} of ${s.hostname}.`,
    PayloadDisplayName: `Mail: ${address}`,
    PayloadIdentifier: id,
    PayloadRemovalDisallowed: false,
    PayloadType: 'Configuration',
    PayloadUUID: randomUUID().toUpperCase(),
    PayloadVersion: 1,
  };
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    plistValue(profile, ''),
    '</plist>',
    '',
  ].join('\n');
}

// A file name for the download: the address with anything unusual in a file name replaced.
export function mobileconfigFilename(address: string): string {
  return `${address.replace(/[^A-Za-z0-9@._-]/g, '_')}.mobileconfig`;
}
