// ENABLE (RFC 5161, RFC 9051 6.3.1) and COMPRESS (RFC 4978).
import { STATES, type CommandSpec } from '../command.ts';
import { AlreadyAnswered, ImapBadSyntax, ImapUserError } from '../errors.ts';

const ENABLEABLE = new Set(['IMAP4REV2', 'CONDSTORE', 'QRESYNC', 'UTF8=ACCEPT']);

export const enable: CommandSpec<string[]> = {
  names: ['ENABLE'],
  // RFC 5161 3.1: "only valid in the authenticated state, before any mailbox is selected".
  states: ['authenticated'],
  args(p) {
    const caps: string[] = [];
    do {
      p.sp();
      caps.push(p.atom().toUpperCase());
    } while (!p.atEnd());
    return caps;
  },
  async run({ session }, caps) {
    const now: string[] = [];
    for (const cap of caps) {
      if (!ENABLEABLE.has(cap) || session.enabled.has(cap)) continue;
      session.enabled.add(cap);
      now.push(cap === 'IMAP4REV2' ? 'IMAP4rev2' : cap);
    }
    await session.untagged(`ENABLED${now.map((c) => ` ${c}`).join('')}`);
  },
};

export const compress: CommandSpec<string> = {
  names: ['COMPRESS'],
  states: STATES.authenticated,
  args(p) {
    p.sp();
    return p.atom().toUpperCase();
  },
  async run({ session, tag }, mechanism) {
    if (mechanism !== 'DEFLATE') throw new ImapBadSyntax('Unknown compression mechanism');
    if (session.conn.compressed) throw new ImapUserError('Compression is already active', 'COMPRESSIONACTIVE');
    await session.send(`${tag} OK DEFLATE active\r\n`);
    await session.startDeflate();
    throw new AlreadyAnswered();
  },
};
