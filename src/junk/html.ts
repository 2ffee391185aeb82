// HTML to the words a reader sees, for the junk filter's tokenizer: tags removed (script, style
// and comments with their content), the common character references decoded, and the targets of
// href and src kept apart as links. One pass with indexOf: hostile markup (a million "<", a
// "<script" that never closes) costs linear time, never a regular expression's backtracking.

export interface HtmlText {
  text: string;
  links: string[];
}

// Elements whose content is not text a reader sees.
const HIDDEN = new Set(['script', 'style', 'head', 'title']);
// Links kept per document; the tokenizer bounds what it makes of them again.
const MAX_LINKS = 256;
const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
const REFERENCE = /&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,6});/gi;
const LINK_ATTRIBUTE = /\b(?:href|src)\s*=\s*["']?([^"'\s>]{1,2048})/gi;

// HTML character references (the few that carry words; others stay as written).
export function decodeReferences(text: string): string {
  return text.replace(REFERENCE, (whole, name: string) => {
    if (name[0] !== '#') return NAMED[name.toLowerCase()] ?? whole;
    const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : ' ';
  });
}

// The element a start tag opens, lowercased ("" for an end tag or a declaration).
function startTagName(tag: string): string {
  let end = 0;
  while (end < tag.length && /[a-z0-9]/i.test(tag[end]!)) end++;
  return tag.slice(0, end).toLowerCase();
}

// Where the end tag of `name` starts at or after `from`, or the end of the document.
function endTag(html: string, name: string, from: number): number {
  let pos = from;
  for (;;) {
    const at = html.indexOf('</', pos);
    if (at === -1) return html.length;
    if (html.slice(at + 2, at + 2 + name.length).toLowerCase() === name) return at;
    pos = at + 2;
  }
}

export function htmlText(html: string): HtmlText {
  const parts: string[] = [];
  const links: string[] = [];
  let pos = 0;
  while (pos < html.length) {
    const open = html.indexOf('<', pos);
    if (open === -1) {
      parts.push(html.slice(pos));
      break;
    }
    parts.push(html.slice(pos, open));
    if (html.startsWith('<!--', open)) {
      const close = html.indexOf('-->', open + 4);
      pos = close === -1 ? html.length : close + 3;
      continue;
    }
    const close = html.indexOf('>', open + 1);
    if (close === -1) break;
    const tag = html.slice(open + 1, close);
    if (links.length < MAX_LINKS) for (const m of tag.matchAll(LINK_ATTRIBUTE)) links.push(decodeReferences(m[1]!));
    const name = startTagName(tag);
    pos = close + 1;
    if (HIDDEN.has(name)) {
      // Skip to the matching end tag; without one, the rest is hidden too.
      pos = endTag(html, name, pos);
    }
    // A tag separates words ("a<br>b" is two words).
    parts.push(' ');
  }
  return { text: decodeReferences(parts.join('')), links: links.slice(0, MAX_LINKS) };
}
