// A client's own view of its selected mailbox, rebuilt from every response line the server sends
// it, and the rules each line must keep. Fed by the raw clients of run.ts (and by crafted
// transcripts in checker.test.ts): command() before a command is sent, line() for each response
// line (literals inlined, as test/support/wire.ts reads them). Rules:
// - modseq-decreased: a message's MODSEQ only grows (RFC 7162 3.1).
// - keyword-unannounced: a keyword in a FETCH's FLAGS was not in the last FLAGS or PERMANENTFLAGS
//   response (RFC 9051 7.3.5, RFC 3501 7.2.6).
// - expunge-out-of-range: an EXPUNGE names a sequence number beyond the message count (RFC 9051 7.5.1).
// - expunge-during-fetch: an EXPUNGE during FETCH, STORE or SEARCH (RFC 9051 7.5.1).
// - exists-decreased: EXISTS below the count that expunges left (RFC 9051 7.4.1).
// - fetch-out-of-range: a FETCH for a sequence number beyond the message count.
// - uid-mismatch: a message's UID changed, UIDs out of order, or VANISHED of a UID not in the view.
// - bad-response: a BAD to a command the client built from its view (the server's view differs).
// - final-mismatch: after NOOP with nobody else writing, FETCH 1:* disagrees with the view.

export const RULES = [
  'modseq-decreased',
  'keyword-unannounced',
  'expunge-out-of-range',
  'expunge-during-fetch',
  'exists-decreased',
  'fetch-out-of-range',
  'uid-mismatch',
  'bad-response',
  'final-mismatch',
] as const;

export type Rule = (typeof RULES)[number];

export interface Violation {
  rule: Rule;
  detail: string;
}

// One message of the view; the same object moves down as earlier messages are expunged.
interface Entry {
  uid: number | null;
  modseq: number | null;
  flags: string[] | null;
  // The response that set modseq, and the command it answered (for the violation's detail).
  source: string;
}

export interface FetchData {
  seq: number;
  uid: number | null;
  flags: string[] | null;
  modseq: number | null;
}

// The untagged FETCH data items this checker reads, from a line whose literals are cut out.
export function parseFetch(line: string): FetchData | null {
  const m = /^\* (\d+) FETCH \((.*)\)$/s.exec(stripLiterals(line));
  if (!m) return null;
  const items = m[2]!;
  const uid = /(?:^|[ (])UID (\d+)/.exec(items);
  const flags = /(?:^|[ (])FLAGS \(([^)]*)\)/.exec(items);
  const modseq = /(?:^|[ (])MODSEQ \((\d+)\)/.exec(items);
  return {
    seq: Number(m[1]),
    uid: uid ? Number(uid[1]) : null,
    flags: flags ? flags[1]!.split(' ').filter(Boolean) : null,
    modseq: modseq ? Number(modseq[1]) : null,
  };
}

// "{n}\r\n" and the n characters after it, removed (a header literal cannot fake a data item).
function stripLiterals(line: string): string {
  let out = '';
  let at = 0;
  for (const re = /~?\{(\d+)\+?\}\r\n/g; ; ) {
    re.lastIndex = at;
    const m = re.exec(line);
    if (!m) return out + line.slice(at);
    out += `${line.slice(at, m.index)}""`;
    at = m.index + m[0].length + Number(m[1]);
  }
}

const isKeyword = (f: string) => !f.startsWith('\\');
const keywords = (list: string) => list.split(' ').filter((f) => f !== '' && isKeyword(f));
const comparable = (flags: readonly string[]) =>
  flags
    .filter((f) => f !== '\\Recent')
    .sort()
    .join(' ');

export class ViewChecker {
  readonly violations: Violation[] = [];
  private entries: Entry[] = [];
  private known = new Set<string>();
  // The command in flight, upper case, without its tag.
  private current = '';
  private selecting = false;
  private final: FetchData[] | null = null;

  get count(): number {
    return this.entries.length;
  }

  // The UIDs of the view that are known (null for messages not fetched yet), by sequence number.
  get uids(): (number | null)[] {
    return this.entries.map((e) => e.uid);
  }

  command(text: string): void {
    this.current = text.toUpperCase();
    if (/^(SELECT|EXAMINE) /.test(this.current)) {
      this.selecting = true;
      this.entries = [];
      this.known.clear();
    }
  }

  // Starts the final comparison: FETCH responses are collected instead of applied.
  startFinal(): void {
    this.final = [];
  }

  line(line: string): void {
    const tagged = /^[^*+]\S* (OK|NO|BAD)\b/.exec(line);
    if (tagged) {
      if (tagged[1] === 'BAD') this.report('bad-response', `${this.current} -> ${line}`);
      this.selecting = false;
      return;
    }
    for (const [re, handle] of this.untagged) {
      const m = re.exec(line);
      if (m) {
        handle(m[1]!);
        return;
      }
    }
    const f = parseFetch(line);
    if (f) this.fetch(f, line);
  }

  private untagged: [RegExp, (arg: string) => void][] = [
    [/^\* (\d+) EXISTS$/, (n) => this.exists(Number(n))],
    [/^\* (\d+) EXPUNGE$/, (n) => this.expunge(Number(n))],
    [/^\* VANISHED (?!\(EARLIER\))(\S+)$/, (set) => this.vanished(set)],
    [
      /^\* FLAGS \(([^)]*)\)/,
      (list) => {
        this.known = new Set(keywords(list));
      },
    ],
    [
      /^\* OK \[PERMANENTFLAGS \(([^)]*)\)\]/,
      (list) => {
        for (const k of keywords(list)) this.known.add(k);
      },
    ],
  ];

  // Compares the collected final FETCH 1:* with the view; call after its tagged OK.
  endFinal(): void {
    const got = this.final ?? [];
    this.final = null;
    if (got.length !== this.entries.length) {
      this.report('final-mismatch', `view has ${this.entries.length} messages, FETCH 1:* returned ${got.length}`);
      return;
    }
    for (const f of got) {
      const e = this.entries[f.seq - 1]!;
      const differs =
        (e.uid !== null && e.uid !== f.uid) ||
        (e.modseq !== null && e.modseq !== f.modseq) ||
        (e.flags !== null && f.flags !== null && comparable(e.flags) !== comparable(f.flags));
      if (differs) this.report('final-mismatch', `seq ${f.seq}: view ${JSON.stringify(e)}, server ${JSON.stringify(f)}`);
    }
  }

  private report(rule: Rule, detail: string): void {
    this.violations.push({ rule, detail });
  }

  private exists(n: number): void {
    if (n < this.entries.length && !this.selecting) this.report('exists-decreased', `EXISTS ${n} with ${this.entries.length} in view`);
    if (n < this.entries.length) this.entries.length = n;
    while (this.entries.length < n) this.entries.push({ uid: null, modseq: null, flags: null, source: '' });
  }

  private expunge(seq: number): void {
    if (/^(FETCH|STORE|SEARCH) /.test(this.current)) {
      this.report('expunge-during-fetch', `${seq} EXPUNGE during ${this.current.slice(0, 40)}`);
    }
    if (seq < 1 || seq > this.entries.length) {
      this.report('expunge-out-of-range', `${seq} EXPUNGE with ${this.entries.length} in view`);
      return;
    }
    this.entries.splice(seq - 1, 1);
  }

  // RFC 7162 3.2.10: each UID was in the view. A UID not fetched yet is one of the messages whose
  // UID is unknown between the known UIDs below and above it; when there are several, which one
  // went cannot be told, so what those carry stops being checked.
  private vanished(set: string): void {
    for (const uid of expandSet(set)) {
      const at = this.entries.findIndex((e) => e.uid === uid);
      if (at >= 0) {
        this.entries.splice(at, 1);
        continue;
      }
      const candidates: number[] = [];
      for (let i = 0; i < this.entries.length; i++) {
        const known = this.entries[i]!.uid;
        if (known === null) candidates.push(i);
        else if (known > uid) break;
        else candidates.length = 0;
      }
      if (!candidates.length) {
        this.report('uid-mismatch', `VANISHED ${uid}, not in the view`);
        continue;
      }
      this.entries.splice(candidates[0]!, 1);
      if (candidates.length > 1) for (const i of candidates.slice(1)) Object.assign(this.entries[i - 1]!, { modseq: null, flags: null });
    }
  }

  private fetch(f: FetchData, line: string): void {
    if (this.final) {
      this.final.push(f);
      return;
    }
    const e = this.entries[f.seq - 1];
    if (!e) {
      this.report('fetch-out-of-range', `${line.slice(0, 120)} with ${this.entries.length} in view`);
      return;
    }
    if (f.uid !== null) {
      const before = this.entries[f.seq - 2]?.uid ?? null;
      const after = this.entries[f.seq]?.uid ?? null;
      if ((e.uid !== null && e.uid !== f.uid) || (before !== null && before >= f.uid) || (after !== null && after <= f.uid)) {
        this.report('uid-mismatch', `${line.slice(0, 120)}: view has UID ${e.uid} between ${before} and ${after}`);
      }
      e.uid = f.uid;
    }
    if (f.modseq !== null) {
      const during = `${line.slice(0, 120)} (${this.current.slice(0, 40)})`;
      if (e.modseq !== null && f.modseq < e.modseq) this.report('modseq-decreased', `${during} after ${e.source}`);
      if (e.modseq === null || f.modseq > e.modseq) {
        e.modseq = f.modseq;
        e.source = during;
      }
    }
    if (f.flags !== null) {
      const unknown = f.flags.filter((k) => isKeyword(k) && !this.known.has(k));
      if (unknown.length) this.report('keyword-unannounced', `${line.slice(0, 120)}: ${unknown.join(' ')} not announced`);
      e.flags = f.flags;
    }
  }
}

// The UIDs of a sequence set without "*" (VANISHED never holds one).
function expandSet(set: string): number[] {
  const out: number[] = [];
  for (const part of set.split(',')) {
    const [a, b] = part.split(':').map(Number) as [number, number | undefined];
    const hi = b ?? a;
    for (let u = Math.min(a, hi); u <= Math.max(a, hi); u++) out.push(u);
  }
  return out;
}

// Violations counted per rule, every rule listed.
export function countByRule(violations: readonly Violation[]): Record<Rule, number> {
  const counts = Object.fromEntries(RULES.map((r) => [r, 0])) as Record<Rule, number>;
  for (const v of violations) counts[v.rule]++;
  return counts;
}
