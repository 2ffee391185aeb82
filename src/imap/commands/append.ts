// APPEND (RFC 9051 6.3.12) with APPENDUID (RFC 4315 3), literal8 (RFC 3516 4.4) and the UTF8
// form (RFC 6855 4). The message literal arrived in a MessageBuffer within APPENDLIMIT and the
// memory budget (framer.ts), bare LFs already made CRLF unless it is a literal8 (RFC 9051 2.3.4:
// RFC822.SIZE counts the message "as expressed in [RFC5322] format", with CRLF line ends, as
// SMTP delivery stores it). Its header bounds, hash and parse are computed in a worker
// (src/offload), never on the event loop; OK is sent only once the store's commit holding the
// message is on disk.
import { DEFAULT_HEADER_LIMITS } from '../../mime/header-limits.ts';
import { MessageBuffer } from '../../memory/message-buffer.ts';
import type { JobOutput } from '../../offload/jobs.ts';
import { JobError } from '../../offload/pool.ts';
import { STATES, type CommandSpec } from '../command.ts';
import { ImapServerError, ImapUserError } from '../errors.ts';
import type { ImapSession } from '../session.ts';
import { parseFlagList } from './flags.ts';

interface AppendArgs {
  wire: Buffer;
  flags: string[];
  date: number | null;
  message: Buffer;
  binary: boolean;
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
    let literal: { data: Buffer; binary: boolean };
    if (p.tryWord('UTF8')) {
      // RFC 6855 4: only once the client has enabled UTF8=ACCEPT.
      if (!ctx.session.utf8) p.fail('UTF8 needs ENABLE UTF8=ACCEPT');
      p.sp();
      p.char('(');
      literal = p.stringBytes(true);
      p.char(')');
    } else {
      if (p.peek() !== 0x7b && p.peek() !== 0x7e) p.fail('Expected the message as a literal');
      literal = p.stringBytes(true);
    }
    return { wire, flags, date, message: literal.data, binary: literal.binary };
  },
  async run({ session, message: streamed }, { wire, flags, date, message, binary }) {
    const name = session.mailboxName(wire);
    const mb = session.store.mailboxes.get(session.account!.id, name);
    // RFC 9051 6.3.12: TRYCREATE when the mailbox does not exist.
    if (!mb) throw new ImapUserError('Mailbox does not exist', 'TRYCREATE');
    if (mb.noSelect) throw new ImapUserError('Mailbox cannot hold messages', 'CANNOT');
    if (message.length === 0) throw new ImapUserError('Cannot save an empty message', 'CANNOT');
    // A small message came with the command; it goes into a buffer of its own the same way.
    const buffer = streamed ?? smallMessage(session, message, binary);
    try {
      if (buffer.status === 'too-big') throw new ImapUserError('Message too large', 'TOOBIG');
      if (buffer.status !== 'ok') throw new ImapUserError('Not enough memory for this message now; try again later', 'LIMIT');
      const prepared = await prepare(session, buffer);
      const { uid, uidValidity } = await session.store.messages.append({
        mailboxId: mb.id,
        raw: buffer.view(prepared.start, prepared.end),
        body: { hash: Buffer.from(prepared.hash), parsed: prepared.parsed! },
        flags,
        internalDate: date ?? undefined,
        origin: session,
      });
      return { code: `APPENDUID ${uidValidity} ${uid}`, text: 'APPEND completed' };
    } finally {
      if (!streamed) buffer.release();
    }
  },
};

function smallMessage(session: ImapSession, data: Buffer, binary: boolean): MessageBuffer {
  const buffer = new MessageBuffer(session.svc.budget, session.svc.config.maxMessage, { normalize: !binary, expected: data.length });
  if (buffer.reserve(data.length)) buffer.write(data);
  return buffer;
}

// The header's bounds, the hash and the parse, in a worker.
async function prepare(session: ImapSession, buffer: MessageBuffer) {
  let out: JobOutput<'prepare'>;
  try {
    out = await session.svc.offload.run(
      'prepare',
      {
        buffer: buffer.lend(),
        start: MessageBuffer.HEADROOM,
        end: MessageBuffer.HEADROOM + buffer.size,
        limits: DEFAULT_HEADER_LIMITS,
        submission: null,
        inbound: null,
        received: null,
        returnPath: null,
        transit: true,
      },
      { deadlineMs: 30_000, transfer: [buffer.lend()] },
    );
  } catch (e) {
    if (e instanceof JobError && e.reason === 'memory') throw new ImapUserError('Message too complex to store', 'LIMIT');
    if (e instanceof JobError && e.reason === 'timeout') throw new ImapUserError('Message could not be processed in time', 'LIMIT');
    throw new ImapServerError('Message could not be processed', e);
  }
  buffer.adopt(out.buffer);
  // RFC 5530 LIMIT: the header is beyond what homepost takes (src/mime/header-limits.ts).
  if (!out.ok) throw new ImapUserError(out.refusal === 'header-too-large' ? 'Message header too large' : 'Message header has too many lines', 'LIMIT');
  return out.transit!;
}
