// Replacing the executable: the new one is written beside it (verify.ts), then
//   1. the current one gets a second name, NAME.previous (a hard link: no copy, no moment without
//      an executable at NAME);
//   2. the new one is renamed over NAME, atomically (rename(2));
//   3. the folder is synced, so the switch survives a power cut.
// Rolling back renames NAME.previous over NAME the same way.
import { chmodSync, chownSync, closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

export const previousOf = (target: string): string => `${target}.previous`;
export const candidateOf = (target: string): string => path.join(path.dirname(target), `.${path.basename(target)}.new`);

// Where the update's executable is to be written: the same folder (same file system: rename).
export function prepareCandidate(target: string): string {
  const candidate = candidateOf(target);
  rmSync(candidate, { force: true });
  return candidate;
}

export function install(target: string): void {
  const candidate = candidateOf(target);
  const current = statSync(target);
  chmodSync(candidate, current.mode & 0o7777);
  if (process.getuid?.() === 0) chownSync(candidate, current.uid, current.gid);
  rmSync(previousOf(target), { force: true });
  linkSync(target, previousOf(target));
  renameSync(candidate, target);
  syncFolder(target);
}

export function rollBack(target: string): void {
  renameSync(previousOf(target), target);
  syncFolder(target);
}

function syncFolder(target: string): void {
  const fd = openSync(path.dirname(target), 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
