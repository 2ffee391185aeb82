// `homepost admin reset-password`: the way back in when the setup page's admin password is lost.
// Run on the device (the control socket and the data folder are root's), it removes the password;
// the setup page then asks for a new one with a new setup code, shown on the console and in the
// log as on first boot (docs/architecture.md, "Security model"). A running daemon ends every page session
// and shows the code at once; otherwise the next start does.
import { ADMIN_PASSWORD } from '../../auth/admin-password.ts';
import { entry, type CommandGroup } from '../group.ts';
import { method, noParams } from '../method.ts';

export interface PasswordReset {
  // Whether the running daemon took it (a new setup code is in its log now) or it waits for the next start.
  daemon: boolean;
}

const resetPassword = method({
  offline: true,
  write: true,
  params: noParams,
  run: async (ctx): Promise<PasswordReset> => {
    await ctx.store.settings.set(ADMIN_PASSWORD.key, undefined);
    return { daemon: ctx.daemon !== null };
  },
});

export const adminGroup: CommandGroup = {
  name: 'admin',
  summary: "the setup page's admin password",
  entries: [
    entry('reset-password', resetPassword, {
      summary: 'remove the admin password; the setup page asks for a new one with a new setup code',
      text: (r) =>
        r.daemon
          ? 'The admin password is removed and every setup page session has ended. Open the setup page and enter the\n' +
            'new setup code: it is on the console and in the log (admin.setup_code).\n'
          : 'The admin password is removed. The next start of homepost serve shows a new setup code on the console\n' + 'and in the log (admin.setup_code).\n',
    }),
  ],
};
