// What the setup page shows of updates: how the last one ended, written by whoever applied it
// (src/update/apply.ts reports it to the daemon that runs afterwards).
import { structured } from '../settings/define.ts';

export type UpdateOutcome = 'updated' | 'rolled-back' | 'refused';

export interface LastUpdate {
  at: number; // ms since the epoch
  outcome: UpdateOutcome;
  from: string; // the version that ran before
  to: string | null; // the update's version, when its manifest was read
  reason: string | null; // why it was refused or rolled back
}

const OUTCOMES: readonly UpdateOutcome[] = ['updated', 'rolled-back', 'refused'];

export function parseLastUpdate(v: unknown): LastUpdate | null {
  if (v === null) return null;
  const u = v as LastUpdate;
  const ok =
    typeof u === 'object' &&
    typeof u.at === 'number' &&
    OUTCOMES.includes(u.outcome) &&
    typeof u.from === 'string' &&
    (u.to === null || typeof u.to === 'string') &&
    (u.reason === null || typeof u.reason === 'string');
  if (!ok) throw new Error('not an update record');
  return { at: u.at, outcome: u.outcome, from: u.from.slice(0, 64), to: u.to?.slice(0, 64) ?? null, reason: u.reason?.slice(0, 1000) ?? null };
}

export const LAST_UPDATE = structured<LastUpdate | null>({
  key: 'update.last',
  default: null,
  rule: 'the last update applied, refused or rolled back',
  parse: parseLastUpdate,
  internal: true,
  description: 'how the last update ended: updated, rolled back (and why) or refused (and why)',
});
