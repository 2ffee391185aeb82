// The rules of each stage, in order. RCPT starts with the blocklists, the greylist and the quota; the relay
// rules come from smtp.relayRules (Postfix's smtpd_relay_restrictions); the list always ends in
// "deny", whatever the setting says.
import { dmarc } from './data.dmarc.ts';
import { ownDomainRule } from './data.own-domain.ts';
import { ownFrom } from './data.own-from.ts';
import { spfFail } from './data.spf-fail.ts';
import { fcrdns } from './mail.fcrdns.ts';
import { helo } from './mail.helo.ts';
import { ownAddress } from './mail.own-address.ts';
import { authenticated } from './rcpt.authenticated.ts';
import { deny } from './rcpt.deny.ts';
import { dnsbl } from './rcpt.dnsbl.ts';
import { greylist } from './rcpt.greylist.ts';
import { localRecipient } from './rcpt.local-recipient.ts';
import { quota } from './rcpt.quota.ts';
import { trustedNetwork } from './rcpt.trusted-network.ts';
import type { Rule } from './types.ts';

export const RELAY_RULES: Record<string, Rule<'rcpt'>> = Object.fromEntries([authenticated, trustedNetwork, localRecipient, deny].map((r) => [r.name, r]));

export const MAIL_RULES: readonly Rule<'mail'>[] = [ownAddress, helo, fcrdns];
export const DATA_RULES: readonly Rule<'data'>[] = [ownFrom, ownDomainRule, dmarc, spfFail];

// The RCPT rules for these settings; unknown names are reported through `unknown`.
export function rcptRules(names: readonly string[], unknown: (name: string) => void): Rule<'rcpt'>[] {
  const rules: Rule<'rcpt'>[] = [dnsbl, greylist, quota];
  for (const name of names) {
    const rule = RELAY_RULES[name];
    if (rule) rules.push(rule);
    else unknown(name);
  }
  if (rules.at(-1) !== deny) rules.push(deny);
  return rules;
}
