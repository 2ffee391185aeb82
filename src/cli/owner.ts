// On the device the data folder belongs to the user homepost.service runs as (homepost), and an
// administrator runs the CLI as root (sudo). Run so, on a folder another user owns, a command
// becomes that user before it opens anything (setgroups(2), setgid(2), setuid(2), in that order:
// groups and gid can only change while still root), so that what it creates (the
// store's lock file, a certificate, the unpacked addons) stays the daemon's and nothing is left
// owned by root. docs/admin.md, "Who owns what".
import { statSync, type Stats } from 'node:fs';

export function runAsOwnerOf(dataDir: string): void {
  if (process.getuid?.() !== 0) return;
  let owner: Stats;
  try {
    owner = statSync(dataDir);
  } catch {
    // No folder yet: the command says so itself.
    return;
  }
  if (owner.uid === 0) return;
  // The folder's group alone: root's supplementary groups go (homepost has none of its own).
  process.setgroups!([owner.gid]);
  process.setgid!(owner.gid);
  process.setuid!(owner.uid);
}
