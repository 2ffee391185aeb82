// APPEND (RFC 9051 6.3.12) with APPENDUID (RFC 4315 3), literal8 (RFC 3516 4.4) and the UTF8
// form (RFC 6855 4). The message literal was read by the framer within APPENDLIMIT; OK is sent
// only once the store's commit holding the message is on disk.
import { normalizeLineEndings } from '../../mime/line-endings.ts';
import { STATES, type CommandSpec } from '../command.ts';
import { ImapUserError } from '../errors.ts';
import { parseFlagList } from './flags.ts';

interface AppendArgs {
  wire: Buffer;
  flags: string[];
  date: number | null;
  message: Buffer;
}

export const append: CommandSpec<AppendArgs> = {
  names: ['APPEND'],
  states: STATES.authenticated,
  args(p, ctx) {
    p.sp();
    const wire = p.astringBytes();
    p.sp();
    let flags: string[] = [];
    let date: number | null = null;
    if (p.peek() === 0x28) {
      flags = parseFlagList(p);
      p.sp();
    }
    if (p.peek() === 0x22) {
      date = p.dateTime();
      p.sp();
    }
    let message: Buffer;
    if (p.tryWord('UTF8')) {
      // RFC 6855 4: only once the client has enabled UTF8=ACCEPT.
      if (!ctx.session.utf8) p.fail('UTF8 needs ENABLE UTF8=ACCEPT');
      p.sp();
      p.char('(');
      message = p.stringBytes(true).data;
      p.char(')');
    } else {
      if (p.peek() !== 0x7b && p.peek() !== 0x7e) p.fail('Expected the message as a literal');
      const literal = p.stringBytes(true);
      // RFC 9051 2.3.4: RFC822.SIZE counts the message "as expressed in [RFC5322] format", with
      // CRLF line ends; a bare LF becomes CRLF, as SMTP delivery stores it (src/smtp/message.ts).
      // A literal8 (RFC 3516 4.4) may carry binary parts: it is kept as it is.
      message = literal.binary ? literal.data : normalizeLineEndings(literal.data);
    }
    return { wire, flags, date, message };
  },
  async run({ session }, { wire, flags, date, message }) {
    const name = session.mailboxName(wire);
    const mb = session.store.mailboxes.get(session.account!.id, name);
    // RFC 9051 6.3.12: TRYCREATE when the mailbox does not exist.
    if (!mb) throw new ImapUserError('Mailbox does not exist', 'TRYCREATE');
    if (mb.noSelect) throw new ImapUserError('Mailbox cannot hold messages', 'CANNOT');
    if (message.length === 0) throw new ImapUserError('Cannot save an empty message', 'CANNOT');
    const { uid, uidValidity } = await session.store.messages.append({
      mailboxId: mb.id,
      raw: message,
      flags,
      internalDate: date ?? undefined,
      origin: session,
    });
    return { code: `APPENDUID ${uidValidity} ${uid}`, text: 'APPEND completed' };
  },
};
