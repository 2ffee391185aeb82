// fetch-att (RFC 9051 6.4.5, 9; RFC 3516 BINARY; RFC 7162 MODSEQ) parsed into typed items.
import type { Parser } from '../parser.ts';
import type { Section } from '../../mime/index.ts';
import { parseSection } from './fetch-sections.ts';

export type SimpleItem = 'UID' | 'FLAGS' | 'INTERNALDATE' | 'RFC822.SIZE' | 'ENVELOPE' | 'BODYSTRUCTURE' | 'BODY' | 'MODSEQ';

export type FetchItem =
  | { kind: 'simple'; name: SimpleItem }
  // BODY[...], BODY.PEEK[...], BINARY[...], BINARY.PEEK[...], and the RFC822 forms.
  | { kind: 'section'; binary: boolean; peek: boolean; section: Section; partial: [number, number] | null; rfc822: string | null }
  | { kind: 'binary-size'; part: readonly number[] };

const SIMPLE = new Set<string>(['UID', 'FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODYSTRUCTURE', 'BODY', 'MODSEQ']);
const MACROS: Record<string, SimpleItem[]> = {
  ALL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE'],
  FAST: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE'],
  FULL: ['FLAGS', 'INTERNALDATE', 'RFC822.SIZE', 'ENVELOPE', 'BODY'],
};

function item(p: Parser): FetchItem {
  const name = p.word();
  if (name === 'BODY' || name === 'BODY.PEEK' || name === 'BINARY' || name === 'BINARY.PEEK') {
    if (!p.tryChar('[')) {
      if (name === 'BODY') return { kind: 'simple', name: 'BODY' };
      p.fail(`${name} needs a section`);
    }
    const binary = name.startsWith('BINARY');
    const section = parseSection(p, binary);
    let partial: [number, number] | null = null;
    // partial = "<" number64 "." nz-number64 ">"
    if (p.tryChar('<')) {
      const origin = p.number64();
      p.char('.');
      const count = p.nzNumber(Number.MAX_SAFE_INTEGER);
      p.char('>');
      partial = [origin, count];
    }
    return { kind: 'section', binary, peek: name.endsWith('.PEEK'), section, partial, rfc822: null };
  }
  if (name === 'BINARY.SIZE') {
    p.char('[');
    const section = parseSection(p, true);
    return { kind: 'binary-size', part: section.path };
  }
  // RFC 3501 6.4.5: RFC822 = BODY[], RFC822.HEADER = BODY.PEEK[HEADER], RFC822.TEXT = BODY[TEXT].
  if (name === 'RFC822') return { kind: 'section', binary: false, peek: false, section: { path: [], text: null, fields: [] }, partial: null, rfc822: name };
  if (name === 'RFC822.HEADER')
    return { kind: 'section', binary: false, peek: true, section: { path: [], text: 'HEADER', fields: [] }, partial: null, rfc822: name };
  if (name === 'RFC822.TEXT')
    return { kind: 'section', binary: false, peek: false, section: { path: [], text: 'TEXT', fields: [] }, partial: null, rfc822: name };
  if (SIMPLE.has(name)) return { kind: 'simple', name: name as SimpleItem };
  p.fail(`Unknown FETCH item ${name.slice(0, 30)}`);
}

export interface FetchModifiers {
  changedSince: number | null;
  vanished: boolean;
}

// fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att / "(" fetch-att
//         *(SP fetch-att) ")") [fetch-modifiers]
export function parseFetchItems(p: Parser): FetchItem[] {
  if (p.peek() === 0x28) return p.list(() => item(p), true);
  const start = p.pos;
  const word = p.word();
  const macro = MACROS[word];
  if (macro && !p.tryChar('[')) return macro.map((name) => ({ kind: 'simple', name }));
  p.pos = start;
  return [item(p)];
}

// fetch-modifiers (RFC 7162 3.1.4.1, 3.2.6): CHANGEDSINCE mod-sequence, VANISHED.
export function parseFetchModifiers(p: Parser): FetchModifiers {
  const m: FetchModifiers = { changedSince: null, vanished: false };
  if (!p.trySp()) return m;
  p.list(() => {
    if (p.tryWord('CHANGEDSINCE')) {
      p.sp();
      m.changedSince = p.number64();
    } else if (p.tryWord('VANISHED')) {
      m.vanished = true;
    } else {
      p.fail('Unknown FETCH modifier');
    }
  }, true);
  return m;
}
