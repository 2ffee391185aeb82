// `homepost client settings|mobileconfig`: what a person enters in a mail program or phone for an
// account (server, ports, TLS, user name), and an Apple configuration profile that enters it.
import { accountMobileconfig, clientSettings, describeEndpoint } from '../client-settings.ts';
import { entry, type CommandGroup } from '../group.ts';
import { method, str } from '../method.ts';
import { table } from '../text.ts';

const settings = method({
  offline: true,
  write: false,
  params: (raw) => ({ address: str(raw, 'address') }),
  run: (ctx, p) => clientSettings(ctx, p.address),
});

const mobileconfig = method({
  offline: true,
  write: false,
  params: (raw) => ({ address: str(raw, 'address') }),
  run: (ctx, p) => accountMobileconfig(ctx, p.address),
});

export const clientGroup: CommandGroup = {
  name: 'client',
  summary: 'settings for mail programs and phones',
  entries: [
    entry('settings', settings, {
      summary: 'the server, ports and user name to enter in a mail program for an account',
      args: ['address'],
      text: (r) =>
        `server name  ${r.hostname}\nuser name    ${r.username}\npassword     the account's password\n\n` +
        table(
          ['', 'PROTOCOL', 'PORT', 'SECURITY'],
          [...r.incoming.map((e) => ['incoming', ...describeEndpoint(e)]), ...r.outgoing.map((e) => ['outgoing', ...describeEndpoint(e)])],
        ),
    }),
    entry('mobileconfig', mobileconfig, {
      summary: 'an Apple configuration profile (.mobileconfig) for an account, on standard output',
      args: ['address'],
      text: (r) => r.content,
    }),
  ],
};
