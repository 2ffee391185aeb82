// Maildir, as Dovecot keeps it (its "Maildir++" layout), for `homepost export --maildir` and
// `homepost import --maildir` (docs/transfer.md):
// - INBOX is the folder itself (cur/, new/, tmp/); a folder A/B is the subfolder ".A.B", each
//   level in modified UTF-7 (RFC 3501 5.1.3), as Dovecot names them;
// - a message is one file; its flags are the "info" after ":2," (D Draft, F Flagged, R Answered,
//   S Seen, T Deleted; https://cr.yp.to/proto/maildir.html), and its keywords letters a-z that
//   the folder's dovecot-keywords file maps to names ("0 $Label1" is a);
// - its INTERNALDATE is the file's modification time;
// - dovecot-uidlist keeps the UIDs and UIDVALIDITY, so Dovecot serves the folder with the same
//   UIDs (clients need no resync).
import { decodeMutf7, encodeMutf7 } from '../imap/mutf7.ts';
import { DELIMITER, INBOX } from '../store/mailboxes.ts';

const SYSTEM_TO_INFO: Record<string, string> = { '\\Draft': 'D', '\\Flagged': 'F', '\\Answered': 'R', '\\Seen': 'S', '\\Deleted': 'T' };
const INFO_TO_SYSTEM: Record<string, string> = Object.fromEntries(Object.entries(SYSTEM_TO_INFO).map(([flag, c]) => [c, flag]));
// Letters for keywords: at most 26 per folder.
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

// A "." inside a level, which Maildir++ would read as a level of its own, is written as "&AC4-"
// (the modified UTF-7 shape of "."; Dovecot, which refuses "." in Maildir++ names, shows it as
// it is) and read back as ".".
const DOT = '&AC4-';

// The subfolder of a mailbox: "" for INBOX.
export function maildirFolder(name: string): string {
  if (name === INBOX) return '';
  return `.${name
    .split(DELIMITER)
    .map((level) => encodeMutf7(level).replaceAll('.', DOT))
    .join('.')}`;
}

// The mailbox name of a subfolder (".A.B"), or null for one that is not a Maildir++ folder.
export function mailboxOfFolder(folder: string): string | null {
  if (folder === '') return INBOX;
  if (!folder.startsWith('.') || folder === '.' || folder === '..') return null;
  const levels = folder
    .slice(1)
    .split('.')
    .map((level) => {
      const pieces = level.split(DOT).map(decodeMutf7);
      return pieces.some((p) => p === null) ? null : pieces.join('.');
    });
  if (levels.some((l) => l === null || l === '')) return null;
  const name = levels.join(DELIMITER);
  return name.toUpperCase() === INBOX ? INBOX : name;
}

// The keywords a folder's messages use, in first-seen order: index n is letter n.
export class KeywordLetters {
  readonly names: string[] = [];
  // Keywords beyond the 26 letters, which the Maildir cannot carry.
  dropped = new Set<string>();

  letterOf(keyword: string): string | null {
    let i = this.names.indexOf(keyword);
    if (i < 0) {
      if (this.names.length === LETTERS.length) {
        this.dropped.add(keyword);
        return null;
      }
      i = this.names.push(keyword) - 1;
    }
    return LETTERS[i]!;
  }

  // dovecot-keywords: "<index> <name>" per line.
  fileText(): string {
    return this.names.map((n, i) => `${i} ${n}\n`).join('');
  }

  static parse(text: string): string[] {
    const names: string[] = [];
    for (const line of text.split('\n')) {
      const m = /^(\d+) (\S+)$/.exec(line.trim());
      if (m && Number(m[1]) < LETTERS.length) names[Number(m[1])] = m[2]!;
    }
    return names;
  }
}

// The ":2," info of a message's flags, its letters in ASCII order (the Maildir rule).
export function infoOf(flags: readonly string[], keywords: KeywordLetters): string {
  const letters: string[] = [];
  for (const f of flags) {
    const system = SYSTEM_TO_INFO[f];
    if (system) letters.push(system);
    else if (!f.startsWith('\\')) {
      const l = keywords.letterOf(f);
      if (l) letters.push(l);
    }
  }
  return [...new Set(letters)].sort().join('');
}

// The flags of a message file's name (its info after ":2,"), given the folder's keywords.
export function flagsOfName(name: string, keywords: readonly string[]): string[] {
  const at = name.lastIndexOf(':2,');
  if (at < 0) return [];
  const flags: string[] = [];
  for (const c of name.slice(at + 3)) {
    if (INFO_TO_SYSTEM[c]) flags.push(INFO_TO_SYSTEM[c]!);
    else if (c >= 'a' && c <= 'z' && keywords[c.charCodeAt(0) - 97]) flags.push(keywords[c.charCodeAt(0) - 97]!);
  }
  return flags;
}

// The part of a file name before its info: what dovecot-uidlist names.
export const baseName = (name: string) => {
  const at = name.indexOf(':');
  return at < 0 ? name : name.slice(0, at);
};

// dovecot-uidlist, version 3: "3 V<uidvalidity> N<next uid>", then "<uid> :<base name>" per message.
export function uidlistText(uidValidity: number, uidNext: number, entries: readonly { uid: number; base: string }[]): string {
  return `3 V${uidValidity} N${uidNext}\n${entries.map((e) => `${e.uid} :${e.base}\n`).join('')}`;
}

// The UIDs a dovecot-uidlist gives base names: the order to import a folder's messages in.
export function parseUidlist(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n').slice(1)) {
    const m = /^(\d+)\b.*?:(.+)$/.exec(line);
    if (m) out.set(m[2]!, Number(m[1]));
  }
  return out;
}
