// APPEND (RFC 9051 6.3.12) with MULTIAPPEND (RFC 3502), APPENDUID (RFC 4315 3), literal8
// (RFC 3516 4.4) and the UTF8 form (RFC 6855 4). Each message literal arrived in a MessageBuffer
// within APPENDLIMIT and the memory budget (framer.ts), bare LFs already made CRLF unless it is a
// literal8 (RFC 9051 2.3.4: RFC822.SIZE counts the message "as expressed in [RFC5322] format",
// with CRLF line ends, as SMTP delivery stores it). Header bounds, hash and parse are computed in a
// worker (src/offload), never on the event loop, one message after another. All the messages of
// the command go into the store in one commit, or none does (RFC 3502: a MULTIAPPEND that fails
// for any message stores none); OK is sent only once that commit is on disk.
import { DEFAULT_HEADER_LIMITS } from '../../mime/header-limits.ts';
import { MessageBuffer } from '../../memory/message-buffer.ts';
import type { JobOutput } from '../../offload/jobs.ts';
import { JobError } from '../../offload/pool.ts';
import { STATES, type CommandSpec } from '../command.ts';
import { encodeSequenceSet } from '../encoder.ts';
import { ImapServerError, ImapUserError } from '../errors.ts';
import { MAX_APPEND_MESSAGES, tooManyMessages } from '../framer.ts';
import type { Parser } from '../parser.ts';
import type { ImapSession } from '../session.ts';
import { parseFlagList } from './flags.ts';

interface AppendMessage {
  flags: string[];
  date: number | null;
  data: Buffer;
  binary: boolean;
}

interface AppendArgs {
  wire: Buffer;
  messages: AppendMessage[];
}

// append-message = [SP flag-list] [SP date-time] SP append-data (RFC 3502, RFC 4466 2.1);
// append-data = literal / literal8 / "UTF8" SP "(" literal8 ")" (RFC 3516 4.4, RFC 6855 4).
// The parser is after the SP.
function appendMessage(p: Parser, utf8: boolean): AppendMessage {
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
    if (!utf8) p.fail('UTF8 needs ENABLE UTF8=ACCEPT');
    p.sp();
    p.char('(');
    literal = p.stringBytes(true);
    p.char(')');
  } else {
    if (p.peek() !== 0x7b && p.peek() !== 0x7e) p.fail('Expected the message as a literal');
    literal = p.stringBytes(true);
  }
  return { flags, date, data: literal.data, binary: literal.binary };
}

export const append: CommandSpec<AppendArgs> = {
  names: ['APPEND'],
  states: STATES.authenticated,
  args(p, ctx) {
    p.sp();
    const wire = p.astringBytes();
    // RFC 3502: append = "APPEND" SP mailbox 1*append-message
    const messages: AppendMessage[] = [];
    do {
      p.sp();
      messages.push(appendMessage(p, ctx.session.utf8));
    } while (p.peek() === 0x20);
    return { wire, messages };
  },
  async run({ session, message: streamed }, { wire, messages }) {
    const name = session.mailboxName(wire);
    const mb = session.store.mailboxes.get(session.account!.id, name);
    // RFC 9051 6.3.12: TRYCREATE when the mailbox does not exist.
    if (!mb) throw new ImapUserError('Mailbox does not exist', 'TRYCREATE');
    if (mb.noSelect) throw new ImapUserError('Mailbox cannot hold messages', 'CANNOT');
    // The framer counted the streamed messages; these include the small ones.
    if (messages.length > MAX_APPEND_MESSAGES) throw new ImapUserError(tooManyMessages, 'LIMIT');
    if (messages.some((m) => m.data.length === 0)) throw new ImapUserError('Cannot save an empty message', 'CANNOT');
    // The framer bounds the streamed messages together; this counts the small ones too.
    if (messages.reduce((n, m) => n + m.data.length, 0) > session.svc.config.maxMessage) {
      throw new ImapUserError('Messages too large together for one APPEND', 'TOOBIG');
    }
    // A small message came with the command; it goes into a buffer of its own the same way.
    const small: MessageBuffer[] = [];
    try {
      const buffers = messages.map((m) => {
        const own = streamed?.bufferOf(m.data);
        if (own) return own;
        const buffer = smallMessage(session, m.data, m.binary);
        small.push(buffer);
        return buffer;
      });
      for (const buffer of buffers) {
        if (buffer.status === 'too-big') throw new ImapUserError('Message too large', 'TOOBIG');
        if (buffer.status !== 'ok') throw new ImapUserError('Not enough memory for this message now; try again later', 'LIMIT');
      }
      const stored = [];
      for (const [i, buffer] of buffers.entries()) {
        const prepared = await prepare(session, buffer);
        const { flags, date } = messages[i]!;
        stored.push({
          raw: buffer.view(prepared.start, prepared.end),
          body: { hash: Buffer.from(prepared.hash), parsed: prepared.parsed! },
          flags,
          internalDate: date ?? undefined,
        });
      }
      const { uids, uidValidity } = await session.store.messages.appendMany({ mailboxId: mb.id, messages: stored, origin: session });
      // RFC 4315 3: a UID set for a MULTIAPPEND, in the order of the messages.
      return { code: `APPENDUID ${uidValidity} ${encodeSequenceSet(uids)}`, text: 'APPEND completed' };
    } finally {
      for (const b of small) b.release();
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
