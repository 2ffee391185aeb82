// `homepost relay show|set`: who may send mail through this server to other domains. The rules
// are the SMTP server's (docs/architecture.md, "Security model"; src/smtp/settings.ts); these are their
// settings, read the way the SMTP server reads them, defaults included.
import { parseCidr } from '../../smtp/cidr.ts';
import { readSmtpSettings, SMTP_SETTING_KEYS } from '../../smtp/settings.ts';
import { entry, type CommandGroup } from '../group.ts';
import { ApiError, method, noParams, strList, type ApiContext } from '../method.ts';

export interface RelaySettings {
  // Networks that may relay without logging in (Postfix mynetworks).
  trustedNetworks: string[];
  // Whether trustedNetworks is the stored setting or the default (none; loopback in development).
  trustedNetworksSet: boolean;
  // The ordered RCPT rules (Postfix smtpd_relay_restrictions).
  relayRules: string[];
}

function relaySettings(ctx: ApiContext): RelaySettings {
  const s = readSmtpSettings(ctx.store.settings, ctx.daemon?.options.dev ?? false);
  return {
    trustedNetworks: s.trustedNetworks.map((c) => c.text),
    trustedNetworksSet: ctx.store.settings.get<unknown>(SMTP_SETTING_KEYS.trustedNetworks, undefined) !== undefined,
    relayRules: s.relayRules,
  };
}

const show = method({
  offline: true,
  write: false,
  params: noParams,
  run: relaySettings,
});

const set = method({
  offline: true,
  write: true,
  params: (raw) => ({ trustedNetworks: strList(raw, 'trustedNetworks').map(network) }),
  run: async (ctx, p): Promise<RelaySettings> => {
    await ctx.store.settings.set(SMTP_SETTING_KEYS.trustedNetworks, p.trustedNetworks);
    return relaySettings(ctx);
  },
});

// "192.0.2.0/24", "2001:db8::/32" or one address, as the SMTP server will read it.
function network(text: string): string {
  const c = parseCidr(text);
  if (!c) throw new ApiError('invalid', `not a network: ${text} (write 192.0.2.0/24, 2001:db8::/32 or an address)`);
  return c.text;
}

function describe(r: RelaySettings): string {
  const nets = r.trustedNetworks.length ? r.trustedNetworks.join(', ') : 'none';
  return [`trusted networks  ${nets}${r.trustedNetworksSet ? '' : ' (default)'}`, `relay rules       ${r.relayRules.join(', ')}`, ''].join('\n');
}

export const relayGroup: CommandGroup = {
  name: 'relay',
  summary: 'who may relay mail to other domains',
  entries: [
    entry('show', show, { summary: 'show the networks trusted to relay and the relay rules', text: describe }),
    entry('set', set, {
      summary: 'set the networks trusted to relay without logging in (the next SMTP session uses them)',
      options: [
        {
          flag: '--trusted-networks',
          param: 'trustedNetworks',
          kind: 'list',
          value: 'NET,...',
          help: 'networks like 192.168.1.0/24 or 2001:db8::/32, comma-separated; "" trusts none',
        },
      ],
      text: describe,
    }),
  ],
};
