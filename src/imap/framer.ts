// Splits the input into commands: a command is its lines and the literals between them
// (RFC 9051 2.2.1, 4.3). Synchronizing literals ("{n}") get a continuation request; LITERAL+
// and LITERAL- ("{n+}", RFC 7888) and literal8 ("~{n}", RFC 3516) are read without one.
// Limits are checked on the announced size BEFORE anything is read, and they depend on the
// session's state: before login only what LOGIN and AUTHENTICATE need is taken. A synchronizing
// literal over the limit is refused without a continuation request (the client then sends
// nothing more of the command); a non-synchronizing one is read and dropped in small pieces,
// never held in memory, or, before login, ends the connection (RFC 7888 4).
// APPEND's message literals are not gathered like the rest: each streams into a MessageBuffer
// (src/memory) charged to the memory budget up front; when the budget cannot hold it, the
// command is refused with NO [LIMIT] (RFC 5530). The messages of one MULTIAPPEND (RFC 3502) are
// held together until their one commit, so together they stay within the largest message size.
import { countReceived } from '../memory/collect.ts';
import type { MessageBuffer } from '../memory/message-buffer.ts';
import { LineTooLongError, type Connection } from '../net/connection.ts';
import { MessageLiterals } from './message-literals.ts';

export interface FramerLimits {
  // One line, without CRLF (RFC 7162 4 asks servers to take at least 8192 octets).
  maxLine: number;
  // All lines and literals of one command, except the message literals of APPEND.
  maxCommand: number;
  // The message literals of one APPEND together (the maximum message size); 0 where APPEND is not allowed.
  maxMessage: number;
  // What to do with a non-synchronizing literal over the limits: read and drop it, or close.
  oversizedLiteral: 'discard' | 'close';
}

interface Refusal {
  code: 'TOOBIG' | 'LIMIT';
  reason: string;
}

export type Frame =
  // parts: the lines and literals; message: APPEND's streamed message literals, also in parts.
  | { kind: 'command'; parts: Buffer[]; message: MessageLiterals | null }
  // A literal refused (the command was consumed): answer the tag with BAD/NO [code].
  | ({ kind: 'refused'; tag: string; command: string } & Refusal)
  // The session cannot safely go on (the tail of an over-long line was skipped unseen, or a
  // literal over the limits was sent before login): BYE with this text.
  | { kind: 'fatal'; text: string };

// literal = "{" number64 ["+"] "}" CRLF; literal8 = "~{" number64 "}" CRLF (RFC 9051 9, 7888, 3516)
const LITERAL_AT_END = /(~?)\{(\d{1,20})(\+?)\}$/;
// An APPEND literal of at most this size is gathered with the command (a mailbox name, a small
// message); a larger one is a message and streams into a MessageBuffer. Gathered literals take at
// most half of the command's size, so that the lines of a MULTIAPPEND with many small messages
// still fit: past that, every message streams.
const SMALL_LITERAL = 8 * 1024;
// Messages in one APPEND (RFC 3502 MULTIAPPEND): each streamed one holds a MessageBuffer with its
// headroom until the command ends, and the commit that stores them all must stay short.
export const MAX_APPEND_MESSAGES = 100;
export const tooManyMessages = `At most ${MAX_APPEND_MESSAGES} messages in one APPEND`;

// The literal announced at the end of a line, if any.
export function literalAtEnd(line: Buffer): { size: number; sync: boolean; binary: boolean } | null {
  if (line.length < 3 || line[line.length - 1] !== 0x7d) return null;
  const m = LITERAL_AT_END.exec(line.toString('latin1', Math.max(0, line.length - 25)));
  if (!m) return null;
  return { size: Number(m[2]), sync: m[3] !== '+', binary: m[1] === '~' };
}

// tag SP command, as far as the first line tells; used to choose limits and to address refusals.
export function peekTagAndCommand(line: Buffer): { tag: string; command: string } {
  const text = line.toString('latin1', 0, Math.min(line.length, 200));
  const m = /^([\x21-\x7e]+?) ([A-Za-z]+)(?: ([A-Za-z]+))?/.exec(text);
  if (!m || m[1]!.includes('+') || /[(){%*"\\]/.test(m[1]!)) return { tag: '*', command: '' };
  const first = m[2]!.toUpperCase();
  return { tag: m[1]!, command: first === 'UID' && m[3] ? `UID ${m[3].toUpperCase()}` : first };
}

export interface FramerDeps {
  conn: Connection;
  // Read before each command: the session's state decides.
  limits: () => FramerLimits;
  // A buffer for an APPEND message of this size; binary: a literal8, kept byte for byte.
  newMessage: (binary: boolean, size: number) => MessageBuffer;
}

export class Framer {
  private d: FramerDeps;

  constructor(deps: FramerDeps) {
    this.d = deps;
  }

  // The next command, or null at end of input.
  async next(): Promise<Frame | null> {
    const { conn } = this.d;
    const limits = this.d.limits();
    const parts: Buffer[] = [];
    let message: MessageLiterals | null = null;
    let messageBytes = 0;
    let streaming: MessageBuffer | null = null;
    let budget = limits.maxCommand;
    let head: { tag: string; command: string } | null = null;
    let refusal: Refusal | null = null;
    const refuse = (code: Refusal['code'], reason: string) => {
      refusal ??= { code, reason } as Refusal;
      message?.release();
      message = null;
    };
    for (;;) {
      let line: Buffer | null;
      try {
        line = await conn.readLine(limits.maxLine);
      } catch (e) {
        if (e instanceof LineTooLongError) return this.fatal(message, 'Line too long');
        throw e;
      }
      if (line === null) return this.fatal(message, null);
      head ??= peekTagAndCommand(line);
      budget -= line.length + 2;
      if (budget < 0) refuse('TOOBIG', 'Command too long');
      if (refusal === null) parts.push(line);
      const lit = literalAtEnd(line);
      if (!lit) {
        if (refusal === null) return { kind: 'command', parts, message };
        return { kind: 'refused', ...head, ...(refusal as Refusal) };
      }
      const append = head.command === 'APPEND' && limits.maxMessage > 0;
      const isMessage = append && lit.size > Math.min(SMALL_LITERAL, budget - limits.maxCommand / 2) && refusal === null;
      if (append && lit.size > limits.maxMessage) {
        refuse('TOOBIG', 'Message too large');
      } else if (isMessage) {
        messageBytes += lit.size;
        if (messageBytes > limits.maxMessage) refuse('TOOBIG', 'Messages too large together for one APPEND');
        else if (message !== null && message.count >= MAX_APPEND_MESSAGES) refuse('LIMIT', tooManyMessages);
        else {
          streaming = this.d.newMessage(lit.binary, lit.size);
          message ??= new MessageLiterals();
          message.add(streaming);
          if (!streaming.reserve(lit.size)) refuse('LIMIT', 'Not enough memory for this message now; try again later');
        }
      } else if (lit.size > Math.max(0, budget)) {
        refuse('TOOBIG', 'Literal too large');
      }
      if (refusal !== null) {
        // RFC 7888 4: a refused synchronizing literal is never sent; a non-synchronizing one
        // arrives anyway: skipped, or before login the connection ends.
        if (lit.sync) return { kind: 'refused', ...head, ...(refusal as Refusal) };
        if (limits.oversizedLiteral === 'close') return this.fatal(null, 'Literal too large');
        if (!(await this.discard(lit.size))) return null;
        continue;
      }
      if (lit.sync && !(conn.write('+ Ready for literal data\r\n') && (await conn.flush()))) return this.fatal(message, null);
      if (isMessage) {
        const literals: MessageLiterals = message!;
        const buffer: MessageBuffer = streaming!;
        const received = (piece: Buffer) => {
          countReceived(piece.length);
          return buffer.write(piece);
        };
        if (!(await conn.readInto(lit.size, received))) return this.fatal(literals, null);
        parts.push(literals.view(buffer));
        continue;
      }
      budget -= lit.size;
      const data = await conn.readBytes(lit.size);
      if (data === null) return this.fatal(message, null);
      parts.push(data);
    }
  }

  // Ends the command: its message buffers are given back; null (end of input) or a fatal frame.
  private fatal(message: MessageLiterals | null, text: string | null): Frame | null {
    message?.release();
    return text === null ? null : { kind: 'fatal', text };
  }

  private async discard(n: number): Promise<boolean> {
    return this.d.conn.readInto(n, () => {});
  }
}
