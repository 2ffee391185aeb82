// Splits the input into commands: a command is its lines and the literals between them
// (RFC 9051 2.2.1, 4.3). Synchronizing literals ("{n}") get a continuation request; LITERAL+
// and LITERAL- ("{n+}", RFC 7888) and literal8 ("~{n}", RFC 3516) are read without one.
// Limits are checked on the announced size BEFORE anything is read: a synchronizing literal over
// the limit is refused without a continuation request (the client then sends nothing more of the
// command); a non-synchronizing one is read and dropped in small pieces, never held in memory.
import { LineTooLongError, type Connection } from '../net/connection.ts';

export interface FramerLimits {
  // One line, without CRLF (RFC 7162 4 asks servers to take at least 8192 octets).
  maxLine: number;
  // All lines and literals of one command, except the message literal of APPEND.
  maxCommand: number;
  // The message literal of APPEND (the maximum message size).
  maxMessage: number;
}

export type Frame =
  | { kind: 'command'; parts: Buffer[] }
  // A literal over the limit: answer the tag with NO/BAD [TOOBIG]; the command was consumed.
  | { kind: 'refused'; tag: string; command: string; reason: string }
  // A line over the limit: its tail was discarded unseen, so the session cannot safely go on.
  | { kind: 'line-too-long' };

// literal = "{" number64 ["+"] "}" CRLF; literal8 = "~{" number64 "}" CRLF (RFC 9051 9, 7888, 3516)
const LITERAL_AT_END = /(~?)\{(\d{1,20})(\+?)\}$/;
const DISCARD_CHUNK = 64 * 1024;

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

export class Framer {
  private conn: Connection;
  private limits: FramerLimits;

  constructor(conn: Connection, limits: FramerLimits) {
    this.conn = conn;
    this.limits = limits;
  }

  // The next command, or null at end of input.
  async next(): Promise<Frame | null> {
    const parts: Buffer[] = [];
    let budget = this.limits.maxCommand;
    let head: { tag: string; command: string } | null = null;
    let refusal: string | null = null;
    for (;;) {
      let line: Buffer | null;
      try {
        line = await this.conn.readLine(this.limits.maxLine);
      } catch (e) {
        if (e instanceof LineTooLongError) return { kind: 'line-too-long' };
        throw e;
      }
      if (line === null) return null;
      head ??= peekTagAndCommand(line);
      budget -= line.length + 2;
      if (budget < 0 && refusal === null) refusal = 'Command too long';
      if (refusal === null) parts.push(line);
      const lit = literalAtEnd(line);
      if (!lit) {
        return refusal === null ? { kind: 'command', parts } : { kind: 'refused', ...head, reason: refusal };
      }
      const allowed = head.command === 'APPEND' ? this.limits.maxMessage : Math.max(0, budget);
      if (lit.size > allowed && refusal === null) {
        refusal = head.command === 'APPEND' ? 'Message too large' : 'Literal too large';
      }
      if (refusal !== null) {
        // RFC 7888 4: a refused synchronizing literal is never sent; a non-synchronizing one
        // arrives anyway and is skipped.
        if (lit.sync) return { kind: 'refused', ...head, reason: refusal };
        if (!(await this.discard(lit.size))) return null;
        continue;
      }
      if (head.command !== 'APPEND') budget -= lit.size;
      if (lit.sync && !(await this.conn.write('+ Ready for literal data\r\n'))) return null;
      const data = await this.conn.readBytes(lit.size);
      if (data === null) return null;
      parts.push(data);
    }
  }

  private async discard(n: number): Promise<boolean> {
    for (let left = n; left > 0; ) {
      const chunk = await this.conn.readBytes(Math.min(left, DISCARD_CHUNK));
      if (chunk === null) return false;
      left -= chunk.length;
    }
    return true;
  }
}
