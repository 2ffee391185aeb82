// A stored message as a POP3 multi-line response carries it (RFC 1939 3 and 11): every line ends
// in CRLF (a bare LF becomes CRLF, and a last line without a line end gets one), a line that
// starts with "." gets a second one (byte-stuffing), and the caller adds the ".CRLF" terminator.
// The size that STAT, LIST and "+OK n octets" report is computed once, when the store takes the
// message (src/store/octets.ts).
// Bare CRs inside a line pass through unchanged; a CR right before a line end is part of it.

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const CRLF = Buffer.from('\r\n');
const STUFF = Buffer.from('.');
const LF_DOT = Buffer.from('\n.');

// The message (or, with bodyLines, its header, the blank line and that many body lines: RFC 1939
// 7 TOP) in CRLF form with byte-stuffing, as pieces to send in order. Pieces are slices of `raw`
// or short constants: nothing is copied. `crlf` says the caller knows the message is already in
// CRLF form (octetSize(raw) === raw.length), so that only dots need looking for.
export function* stuffedPieces(raw: Buffer, opts: { bodyLines?: number; crlf?: boolean } = {}): Generator<Buffer> {
  if (opts.crlf && opts.bodyLines === undefined) {
    yield* dotStuffed(raw);
    return;
  }
  let pos = 0; // start of the current line
  let runStart = 0; // start of the bytes not yet handed out
  let inHeader = true;
  let bodyLinesLeft = opts.bodyLines ?? Infinity;
  while (pos < raw.length && (inHeader || bodyLinesLeft > 0)) {
    if (raw[pos] === DOT) {
      if (pos > runStart) yield raw.subarray(runStart, pos);
      yield STUFF;
      runStart = pos;
    }
    const lf = raw.indexOf(LF, pos);
    const end = lf < 0 ? raw.length : lf;
    const contentEnd = end > pos && raw[end - 1] === CR ? end - 1 : end;
    const empty = contentEnd === pos;
    if (lf < 0) {
      // The last line has no line end: send it with CRLF (a trailing CR counts as its start).
      if (contentEnd > runStart) yield raw.subarray(runStart, contentEnd);
      yield CRLF;
      pos = runStart = raw.length;
    } else if (contentEnd === lf) {
      // A bare LF.
      if (lf > runStart) yield raw.subarray(runStart, lf);
      yield CRLF;
      pos = runStart = lf + 1;
    } else {
      pos = lf + 1;
    }
    if (inHeader) inHeader = !empty;
    else bodyLinesLeft--;
  }
  if (pos > runStart) yield raw.subarray(runStart, pos);
}

// A message already in CRLF form: only lines that start with "." change.
function* dotStuffed(raw: Buffer): Generator<Buffer> {
  let start = 0;
  if (raw[0] === DOT) yield STUFF;
  for (let at = raw.indexOf(LF_DOT); at >= 0; at = raw.indexOf(LF_DOT, at + 2)) {
    yield raw.subarray(start, at + 1);
    yield STUFF;
    start = at + 1;
  }
  if (start === 0) yield raw;
  else if (start < raw.length) yield raw.subarray(start);
}
