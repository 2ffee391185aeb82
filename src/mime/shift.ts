// The parse of the same message with `n` bytes more (or, negative, fewer) of header fields at its
// very start, such as the Return-Path final delivery puts on top (RFC 5321 4.4): every offset moves
// by n except where the top-level header starts, and nothing is parsed again. Valid only for whole
// fields that no ENVELOPE or MIME field is made of.
import type { MimePart, ParsedMessage } from './types.ts';

export function shiftParsed(parsed: ParsedMessage, n: number): ParsedMessage {
  const move = (part: MimePart, top: boolean): MimePart => ({
    ...part,
    headerStart: top ? part.headerStart : part.headerStart + n,
    bodyStart: part.bodyStart + n,
    end: part.end + n,
    children: part.children.map((c) => move(c, false)),
  });
  return { ...parsed, size: parsed.size + n, root: move(parsed.root, true) };
}
