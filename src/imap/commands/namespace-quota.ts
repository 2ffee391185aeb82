// NAMESPACE (RFC 2342, RFC 9051 6.3.10) and QUOTA (RFC 9208). Each account has one personal
// namespace and one quota root, "", holding every mailbox; its STORAGE limit is the account's
// quota in units of 1024 octets (RFC 9208 5.1).
import { STATES, type CommandSpec } from '../command.ts';
import { ImapUserError } from '../errors.ts';
import type { ImapSession } from '../session.ts';

export const namespace: CommandSpec = {
  names: ['NAMESPACE'],
  states: STATES.authenticated,
  async run({ session }) {
    await session.untagged('NAMESPACE (("" "/")) NIL NIL');
  },
};

function accountQuota(session: ImapSession): { used: number; limit: number } | null {
  const info = session.store.accounts.getById(session.account!.id);
  if (!info || info.quota <= 0) return null;
  return { used: Math.ceil(info.used / 1024), limit: Math.floor(info.quota / 1024) };
}

// RFC 9208 4.3.1
export const getquota: CommandSpec<string> = {
  names: ['GETQUOTA'],
  states: STATES.authenticated,
  args(p) {
    p.sp();
    return p.astring();
  },
  async run({ session }, root) {
    const q = accountQuota(session);
    if (root !== '' || !q) throw new ImapUserError('No such quota root', 'NONEXISTENT');
    await session.untagged(`QUOTA "" (STORAGE ${q.used} ${q.limit})`);
  },
};

// RFC 9208 4.3.2
export const getquotaroot: CommandSpec<Buffer> = {
  names: ['GETQUOTAROOT'],
  states: STATES.authenticated,
  args(p) {
    p.sp();
    return p.astringBytes();
  },
  async run({ session }, wire) {
    const name = session.mailboxName(wire);
    if (!session.store.mailboxes.get(session.account!.id, name)) throw new ImapUserError('No such mailbox', 'NONEXISTENT');
    const q = accountQuota(session);
    const mailbox = session.encodeMailbox(name);
    if (!q) {
      await session.untagged(`QUOTAROOT ${mailbox}`);
      return;
    }
    await session.untagged(`QUOTAROOT ${mailbox} ""`);
    await session.untagged(`QUOTA "" (STORAGE ${q.used} ${q.limit})`);
  },
};

// RFC 9208 4.3.3: quotas are set by the administrator (no QUOTASET capability).
export const setquota: CommandSpec = {
  names: ['SETQUOTA'],
  states: STATES.authenticated,
  args(p) {
    p.sp();
    p.astring();
    p.sp();
    p.list(() => {
      p.atom();
      p.sp();
      return p.number64();
    });
  },
  async run() {
    throw new ImapUserError('Quotas are set by the administrator', 'NOPERM');
  },
};
