// Bounds on a message's header section, checked before anything else reads it: a hostile header
// (half a million fields, tens of thousands of lines without a colon) costs at most one pass over
// maxBytes, and is refused before any parser or check sees it. SMTP answers 552 5.3.4 for a
// header over maxBytes and 554 5.6.0 for one over maxLines (RFC 3463 X.3.4, X.6.0); IMAP APPEND
// answers NO [LIMIT] (RFC 5530).

export interface HeaderLimits {
  maxBytes: number;
  maxLines: number; // physical lines, folded continuation lines included
}

// Postfix keeps 100 KB of a header (header_size_limit); a message with a thousand recipients in
// To: and Cc: folds into a few hundred lines. These are several times what real mail needs.
export const DEFAULT_HEADER_LIMITS: HeaderLimits = { maxBytes: 256 * 1024, maxLines: 5000 };

export type HeaderBounds = { ok: true; headerEnd: number; bodyStart: number } | { ok: false; reason: 'header-too-large' | 'too-many-header-lines' };

const LF = 0x0a;
const CR = 0x0d;

// Where the header section starting at `start` ends (headerEnd: the blank line, bodyStart: after
// it; both `end` when there is none, RFC 5322 2.1), or which bound it broke. Reads at most
// maxBytes + 2 bytes: the line search never goes past that.
export function boundHeader(raw: Uint8Array, start: number, end: number, limits: HeaderLimits): HeaderBounds {
  const stop = Math.min(end, start + limits.maxBytes + 2);
  const window = raw.subarray(start, stop);
  let pos = 0;
  let lines = 0;
  while (pos < window.length) {
    const lf = window.indexOf(LF, pos);
    const next = lf === -1 ? window.length : lf + 1;
    const len = next - pos;
    if ((len === 1 && window[pos] === LF) || (len === 2 && window[pos] === CR && window[pos + 1] === LF)) {
      return start + pos > start + limits.maxBytes ? { ok: false, reason: 'header-too-large' } : { ok: true, headerEnd: start + pos, bodyStart: start + next };
    }
    if (++lines > limits.maxLines) return { ok: false, reason: 'too-many-header-lines' };
    if (lf === -1) break;
    pos = next;
  }
  // No blank line within the window: the header runs to the end of the message, or past maxBytes.
  if (stop < end || end - start > limits.maxBytes) return { ok: false, reason: 'header-too-large' };
  return { ok: true, headerEnd: end, bodyStart: end };
}
