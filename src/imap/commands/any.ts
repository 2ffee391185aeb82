// Commands valid in every state: CAPABILITY, NOOP, LOGOUT (RFC 9051 6.1) and ID (RFC 2971);
// and CHECK, a NOOP of the selected state.
import { STATES, type CommandSpec } from '../command.ts';
import type { Parser } from '../parser.ts';

// RFC 9051 6.1.1
export const capability: CommandSpec = {
  names: ['CAPABILITY'],
  states: STATES.any,
  async run({ session }) {
    await session.untagged(`CAPABILITY ${session.capabilities()}`);
  },
};

// RFC 9051 6.1.2: nothing, but pending mailbox changes are reported (dispatch does that).
export const noop: CommandSpec = {
  names: ['NOOP'],
  states: STATES.any,
  async run() {},
};

// RFC 3501 6.4.1 CHECK (IMAP4rev1 only): our commits are already on disk, so it is a NOOP.
export const check: CommandSpec = {
  names: ['CHECK'],
  states: STATES.selected,
  async run() {},
};

// RFC 9051 6.1.3
export const logout: CommandSpec = {
  names: ['LOGOUT'],
  states: STATES.any,
  async run({ session, tag }) {
    await session.untagged('BYE Logging out');
    await session.send(`${tag} OK LOGOUT completed\r\n`);
    await session.flush();
    session.logout();
    session.conn.close();
  },
};

// RFC 2971 3.3: at most 30 pairs, fields up to 30 octets, values up to 1024.
const MAX_ID_PAIRS = 30;

export const id: CommandSpec<[string, string | null][] | null> = {
  names: ['ID'],
  states: STATES.any,
  args(p: Parser) {
    p.sp();
    if (p.tryWord('NIL')) return null;
    const flat = p.list(() => p.nstring());
    if (flat.length % 2 !== 0 || flat.length / 2 > MAX_ID_PAIRS) p.fail('Invalid ID parameter list');
    const pairs: [string, string | null][] = [];
    for (let i = 0; i < flat.length; i += 2) {
      const field = flat[i];
      const value = flat[i + 1] ?? null;
      if (field === null || field === undefined || Buffer.byteLength(field) > 30) p.fail('Invalid ID field');
      if (value !== null && Buffer.byteLength(value) > 1024) p.fail('ID value too long');
      pairs.push([field, value]);
    }
    return pairs;
  },
  async run({ session }, pairs) {
    if (pairs) {
      const client = Object.fromEntries(
        pairs.filter(([f]) => ['name', 'version', 'vendor', 'os'].includes(f.toLowerCase())).map(([f, v]) => [f.toLowerCase(), v]),
      );
      session.log.info('imap.client_id', { client });
    }
    await session.untagged('ID ("name" "homepost")');
  },
};
