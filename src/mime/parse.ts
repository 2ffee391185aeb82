// The part tree of a message with byte offsets, built in one pass over the raw bytes (parsed
// once, at delivery: docs/store.md). The message is never turned into one string: line breaks and
// candidate delimiter lines are found with Buffer.indexOf, a body is skipped up to the next line
// starting with "--", only the start of such a line is read (as latin1, byte per character) to
// look up the open boundaries, and only the header fields that are used are decoded.
//
// Malformed input never throws; what we do with it:
// - Header blocks end at the first blank line (CRLF or bare LF). A line without ":" is a field
//   with no value, as in Dovecot, so a missing blank line makes the rest of the part its header.
//   Inside a multipart, a boundary line also ends the header (the part's body is then empty).
// - RFC 2046 5.1.1: the line break before a delimiter line belongs to the delimiter. A delimiter
//   is a line starting with "--" + boundary; what follows the boundary on the line is ignored
//   (Dovecot's rule), and when several open boundaries match, the longest wins, so a boundary
//   that is a prefix of another one nested inside it (or around it) is still told apart.
// - A delimiter of an outer multipart closes every part opened inside it (missing close
//   delimiters); end of input closes everything. Preamble and epilogue stay in the multipart's
//   body but are no part.
// - A multipart with no usable boundary (missing or empty parameter), or whose boundary never
//   appears, or that lies past the nesting limit, gets one text/plain part spanning its whole
//   body (no header of its own). Dovecot reports an empty text/plain part instead; we keep the
//   content reachable as BODY[n.1]. Either way BODYSTRUCTURE stays valid: a multipart always
//   has at least one part.
// - message/rfc822 and message/global (RFC 2046 5.2.1, RFC 6532 3.5) hold one encapsulated
//   message, parsed like the top level. When its Content-Transfer-Encoding is not an identity
//   (7bit, 8bit, binary: RFC 2046 5.2.1 allows no other), or past the nesting limit, it gets an
//   all-NIL envelope and one text/plain part spanning its body, so ENVELOPE/BODYSTRUCTURE stay
//   well-formed without guessing inside encoded bytes.
// - Limits: MAX_DEPTH levels of multipart/message nesting (as Dovecot's 100) and MAX_PARTS parts
//   (as Dovecot's 10000). After MAX_PARTS, boundaries are no longer recognised and the rest of
//   the message belongs to the part being read (Dovecot does the same). The parse is iterative:
//   no recursion, so nesting cannot exhaust the stack.
// Sizes are raw octets as stored (bare LF is not counted as CRLF, unlike Dovecot's virtual
// sizes): they match the bytes BODY[...] serves. Line counts (RFC 9051 7.5.2 body-fld-lines,
// "the size of the body in text lines") count the body's line breaks: a line is "delimited with"
// CRLF (RFC 5322 2.1), and a body ending without one (before a delimiter, whose CRLF RFC 2046
// 5.1.1 attaches to the delimiter: "a part that does not end with a CRLF") ends in no complete
// line. UW-IMAP and Dovecot count the same way.
import type { Envelope, MimePart, ParsedMessage } from './types.ts';
import { MIME_FORMAT_VERSION } from './types.ts';
import { emptyEnvelope } from './envelope.ts';
import { buildHeaderIndex } from './header-index.ts';
import { readPartHeader } from './part-header.ts';

export const MAX_DEPTH = 100;
export const MAX_PARTS = 10000;
// RFC 2046 5.1.1 allows 1 to 70 characters; longer ones are accepted up to this bound, beyond it
// the multipart is read as having no usable boundary.
export const MAX_BOUNDARY = 256;

const LF = 0x0a;
const CR = 0x0d;
const DASH = 0x2d;
const LF_DASH_DASH = Buffer.from('\n--');

function countLf(raw: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if (raw[i] === LF) n++;
  return n;
}

type Mode = 'header' | 'multipart' | 'message' | 'leaf';

interface Frame {
  part: MimePart;
  mode: Mode;
  depth: number; // multipart/message levels above this part
  lfBody: number; // LFs in the message before part.bodyStart
  boundary: string | null; // multipart: its boundary (as latin1, byte per char) while delimiters are expected
  digest: boolean; // multipart/digest: parts default to message/rfc822
  digestChild: boolean; // this part's default type is message/rfc822
  envelope: boolean; // this part's header is a message header (top level or encapsulated)
  envelopeOwner: MimePart | null; // the message/rfc822 part that reports that envelope
  placeholder: boolean; // at close, give this container one text/plain part for its body
}

function newPart(headerStart: number): MimePart {
  return {
    headerStart,
    bodyStart: headerStart,
    end: headerStart,
    type: 'text',
    subtype: 'plain',
    params: [['charset', 'us-ascii']],
    id: null,
    description: null,
    encoding: '7bit',
    md5: null,
    disposition: null,
    language: null,
    location: null,
    size: 0,
    lines: 0,
    children: [],
    envelope: null,
  };
}

function isMessageType(type: string, subtype: string): boolean {
  return type === 'message' && (subtype === 'rfc822' || subtype === 'global');
}

// Parts whose BODYSTRUCTURE carries a line count (RFC 9051 7.5.2 body-type-text, body-type-msg).
function hasLines(part: MimePart): boolean {
  return part.type === 'text' || isMessageType(part.type, part.subtype);
}

// RFC 2045 6.1 identity encodings, the only ones RFC 2046 5.2.1 allows for message/rfc822.
function isIdentityEncoding(encoding: string): boolean {
  const e = encoding.toLowerCase();
  return e === '7bit' || e === '8bit' || e === 'binary';
}

interface TrieNode {
  next: Map<number, TrieNode> | null;
  // Positions in `active` of the open multiparts whose boundary ends here, innermost last.
  positions: number[];
}

// The open boundaries as a trie over their bytes (latin1, one character per byte). Finding the
// longest one that starts a line walks that line's bytes once, at most the longest boundary.
class BoundaryTrie {
  private root: TrieNode = { next: null, positions: [] };

  add(boundary: string, position: number): void {
    let node = this.root;
    for (let i = 0; i < boundary.length; i++) {
      const c = boundary.charCodeAt(i);
      node.next ??= new Map();
      let child = node.next.get(c);
      if (!child) {
        child = { next: null, positions: [] };
        node.next.set(c, child);
      }
      node = child;
    }
    node.positions.push(position);
  }

  // Positions leave in the reverse order they came (the innermost first).
  remove(boundary: string, position: number): void {
    const path: TrieNode[] = [this.root];
    for (let i = 0; i < boundary.length; i++) path.push(path[i]!.next!.get(boundary.charCodeAt(i))!);
    const end = path[path.length - 1]!;
    if (end.positions.at(-1) === position) end.positions.pop();
    // Nodes that lead nowhere any more go, so the trie holds only what is open.
    for (let i = boundary.length; i > 0; i--) {
      const node = path[i]!;
      if (node.positions.length || node.next?.size) break;
      path[i - 1]!.next!.delete(boundary.charCodeAt(i - 1));
    }
  }

  // The longest open boundary that raw[start, end) begins with: its innermost position in
  // `active` and its length, or null.
  longest(raw: Buffer, start: number, end: number): { position: number; length: number } | null {
    let node = this.root;
    let found: { position: number; length: number } | null = null;
    for (let i = start; i < end; i++) {
      const child = node.next?.get(raw[i]!);
      if (!child) break;
      node = child;
      if (node.positions.length) found = { position: node.positions[node.positions.length - 1]!, length: i + 1 - start };
    }
    return found;
  }
}

class Parser {
  readonly raw: Buffer;
  readonly stack: Frame[] = [];
  // Stack indices of the multipart frames whose delimiters are expected, outermost first.
  active: number[] = [];
  // The open boundaries, by their position in `active` (kept in step with it), and each one's
  // string (its frame may already be closed when it leaves).
  boundaries = new BoundaryTrie();
  activeBoundaries: string[] = [];
  partCount = 1;
  rootEnvelope: Envelope | null = null;

  constructor(raw: Buffer) {
    this.raw = raw;
  }

  run(): ParsedMessage {
    const raw = this.raw;
    const size = raw.length;
    const root = newPart(0);
    this.stack.push(this.frame(root, 0, false, true, null));
    let pos = 0;
    let lf = 0; // LFs before pos
    while (pos < size) {
      if (this.stack[this.stack.length - 1]!.mode !== 'header') {
        // In a body only delimiter lines matter: skip to the next line starting with "--",
        // counting the line breaks passed (for line counts), or to the end when no boundary is
        // open.
        let candidate = size;
        if (this.active.length > 0) {
          if (raw[pos] === DASH && raw[pos + 1] === DASH) candidate = pos;
          else {
            const found = raw.indexOf(LF_DASH_DASH, pos);
            if (found !== -1) candidate = found + 1;
          }
        }
        lf += countLf(raw, pos, candidate);
        pos = candidate;
        if (pos >= size) break;
      }
      const nl = raw.indexOf(LF, pos);
      const next = nl === -1 ? size : nl + 1;
      const handled = this.active.length > 0 && raw[pos] === DASH && raw[pos + 1] === DASH && this.delimiter(pos, next, lf);
      if (!handled) {
        const top = this.stack[this.stack.length - 1]!;
        if (top.mode === 'header' && this.isBlank(pos, next)) this.endHeader(top, next, lf + 1);
      }
      if (nl !== -1) lf++;
      pos = next;
    }
    this.closeAbove(-1, size, lf);
    const envelope = this.rootEnvelope ?? emptyEnvelope();
    return { version: MIME_FORMAT_VERSION, size, envelope, root, headers: buildHeaderIndex(raw, root.headerStart, root.bodyStart, envelope) };
  }

  frame(part: MimePart, depth: number, digestChild: boolean, envelope: boolean, owner: MimePart | null): Frame {
    return {
      part,
      mode: 'header',
      depth,
      lfBody: 0,
      boundary: null,
      digest: false,
      digestChild,
      envelope,
      envelopeOwner: owner,
      placeholder: false,
    };
  }

  isBlank(pos: number, next: number): boolean {
    const raw = this.raw;
    const len = next - pos;
    return (len === 1 && raw[pos] === LF) || (len === 2 && raw[pos] === CR && raw[pos + 1] === LF);
  }

  // The header of the top frame ends; its body starts at bodyStart, lfBody LFs into the message.
  // Reads the part's MIME fields and decides how its body is read. atClose: the frame is being
  // closed while still in its header, so its body is empty and nothing nests inside it.
  endHeader(frame: Frame, bodyStart: number, lfBody: number, atClose = false): void {
    const part = frame.part;
    const header = readPartHeader(this.raw, part.headerStart, bodyStart, {
      digestChild: frame.digestChild,
      envelope: frame.envelope,
    });
    part.type = header.type;
    part.subtype = header.subtype;
    part.params = header.params;
    part.id = header.id;
    part.description = header.description;
    part.encoding = header.encoding;
    part.md5 = header.md5;
    part.disposition = header.disposition;
    part.language = header.language;
    part.location = header.location;
    part.bodyStart = bodyStart;
    part.end = bodyStart;
    frame.lfBody = lfBody;
    if (frame.envelope) {
      if (frame.envelopeOwner === null) this.rootEnvelope = header.envelope;
      else frame.envelopeOwner.envelope = header.envelope;
    }
    const canNest = !atClose && frame.depth < MAX_DEPTH && this.partCount < MAX_PARTS;
    if (part.type === 'multipart') {
      if (canNest && header.boundary !== null && header.boundary.length <= MAX_BOUNDARY) {
        // RFC 2046 5.1.1: the body is preamble, delimiter-separated parts, close delimiter,
        // epilogue. The boundary is live from the first body line on.
        frame.mode = 'multipart';
        frame.boundary = header.boundary;
        frame.digest = part.subtype === 'digest';
        this.pushActive(this.stack.length - 1);
      } else {
        frame.mode = 'leaf';
        frame.placeholder = true;
      }
    } else if (isMessageType(part.type, part.subtype)) {
      if (canNest && isIdentityEncoding(part.encoding)) {
        // RFC 2046 5.2.1: the body is a whole message; its header starts right here.
        frame.mode = 'message';
        const child = newPart(bodyStart);
        part.children.push(child);
        this.partCount++;
        this.stack.push(this.frame(child, frame.depth + 1, false, true, part));
      } else {
        frame.mode = 'leaf';
        frame.placeholder = true;
      }
    } else {
      frame.mode = 'leaf';
    }
  }

  // A line starting with "--" while delimiters are expected. Returns true when it is a delimiter
  // line that was acted on.
  delimiter(pos: number, next: number, lf: number): boolean {
    const raw = this.raw;
    let contentEnd = next;
    if (contentEnd > pos && raw[contentEnd - 1] === LF) contentEnd--;
    if (contentEnd > pos && raw[contentEnd - 1] === CR) contentEnd--;
    // The longest open boundary that starts the line wins (so a boundary that is a prefix of
    // another is told apart); among equal ones, the innermost.
    const match = this.boundaries.longest(raw, pos + 2, contentEnd);
    if (match === null) return false;
    const best = match.position;
    const after = pos + 2 + match.length;
    const close = after + 2 <= contentEnd && raw[after] === DASH && raw[after + 1] === DASH;
    if (!close && this.partCount >= MAX_PARTS) {
      // Part limit reached: stop recognising boundaries; the rest belongs to the current part.
      this.truncateActive(0);
      return false;
    }
    const index = this.active[best]!;
    // RFC 2046 5.1.1: "the CRLF preceding the boundary delimiter line is conceptually attached to
    // the boundary", so the parts before it end before that line break.
    let cut = pos;
    let lfCut = lf;
    if (cut > 0 && raw[cut - 1] === LF) {
      cut--;
      lfCut--;
      if (cut > 0 && raw[cut - 1] === CR) cut--;
    }
    // When that line break is the blank line that ended the header of a part being closed, that
    // part is its header fields alone ("body-part := MIME-part-headers [CRLF *OCTET]"): its header
    // ends before the delimiter's CRLF and its body, with a message/rfc822's encapsulated message,
    // is empty (as Dovecot). When the delimiter is the first line of a part, the parts end at the
    // delimiter line itself, so that no part ends before a part inside it.
    let headerOnly = false;
    for (let k = this.stack.length - 1; k > index && !headerOnly; k--) {
      const f = this.stack[k]!;
      if (f.mode === 'header' || f.part.bodyStart <= cut || f.part.headerStart > cut) continue;
      f.part.bodyStart = cut;
      f.lfBody = lfCut;
      for (let j = k + 1; j < this.stack.length; j++) this.stack[j]!.part.headerStart = cut;
      headerOnly = true;
    }
    const top = this.stack[this.stack.length - 1]!;
    if (!headerOnly && (top.mode === 'header' ? top.part.headerStart : top.part.bodyStart) > cut) {
      cut = pos;
      lfCut = lf;
    }
    this.closeAbove(index, cut, lfCut);
    const frame = this.stack[index]!;
    if (close) {
      // Close delimiter: what follows is epilogue until the multipart itself ends.
      this.truncateActive(best);
      frame.boundary = null;
      return true;
    }
    this.truncateActive(best + 1);
    const child = newPart(next);
    frame.part.children.push(child);
    this.partCount++;
    this.stack.push(this.frame(child, frame.depth + 1, frame.digest, false, null));
    return true;
  }

  // Each boundary enters and leaves the trie once: the cost is the boundaries' length, never
  // their number times the number of delimiter-like lines.
  pushActive(frameIndex: number): void {
    const boundary = this.stack[frameIndex]!.boundary!;
    this.boundaries.add(boundary, this.active.length);
    this.active.push(frameIndex);
    this.activeBoundaries.push(boundary);
  }

  // Keeps the outermost `length` open boundaries.
  truncateActive(length: number): void {
    while (this.active.length > length) {
      this.active.pop();
      this.boundaries.remove(this.activeBoundaries.pop()!, this.active.length);
    }
  }

  // Closes every frame above stack index `index` at byte `cut` (lfCut LFs before it).
  closeAbove(index: number, cut: number, lfCut: number): void {
    while (this.stack.length - 1 > index) {
      const frame = this.stack.pop()!;
      this.close(frame, cut, lfCut);
    }
    // `active` holds ascending stack indices: the closed frames are at its end.
    let keep = this.active.length;
    while (keep > 0 && this.active[keep - 1]! >= this.stack.length) keep--;
    if (keep < this.active.length) this.truncateActive(keep);
  }

  close(frame: Frame, cut: number, lfCut: number): void {
    const part = frame.part;
    if (frame.mode === 'header') {
      // The header never ended (a boundary or the end of input came first): all header, no body.
      this.endHeader(frame, Math.max(cut, part.headerStart), lfCut, true);
    }
    const end = Math.max(cut, part.bodyStart);
    part.end = end;
    part.size = end - part.bodyStart;
    const lines = this.lines(part.bodyStart, end, lfCut - frame.lfBody);
    if (hasLines(part)) part.lines = lines;
    if (frame.placeholder || (frame.mode === 'multipart' && part.children.length === 0)) {
      const body = newPart(part.bodyStart);
      body.end = end;
      body.size = part.size;
      body.lines = lines;
      part.children.push(body);
      this.partCount++;
      if (isMessageType(part.type, part.subtype)) part.envelope = emptyEnvelope();
    }
  }

  // Text lines in [start, end) holding lfs LFs: the line breaks.
  lines(start: number, end: number, lfs: number): number {
    return end <= start ? 0 : lfs;
  }
}

// The parsed form of a raw message (see the top of this file for malformed input).
export function parseMessage(raw: Buffer): ParsedMessage {
  return new Parser(raw).run();
}
