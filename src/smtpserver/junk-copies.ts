// The local copies of a message as each account's junk filter filed it (src/junk/filing.ts): one
// per distinct X-Homepost-Junk field, below Return-Path, with the accounts that get it. A copy is
// as large as the message, so its SHA-256 is computed in a worker (job `hash`, the bytes moved
// there and back); its parse is the transit copy's, shifted past the field (mime/shift.ts).
import { filedCopies, type JunkFiling } from '../junk/index.ts';
import { shiftParsed } from '../mime/shift.ts';
import type { WorkerPool } from '../offload/pool.ts';
import type { DeliveryTarget } from '../store/index.ts';
import type { StoredMessage } from './delivery.ts';

export interface FiledMessage {
  message: StoredMessage;
  targets: DeliveryTarget[];
}

export function junkCopies(
  offload: WorkerPool,
  final: StoredMessage,
  transit: StoredMessage,
  accountIds: readonly number[],
  filings: Map<number, JunkFiling>,
): Promise<FiledMessage[]> {
  const returnPath = final.raw.length - transit.raw.length;
  const copies = filedCopies(final.raw, returnPath, accountIds, filings).map(async ({ raw, inserted, targets }) => {
    const out = await offload.run('hash', new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength), {
      deadlineMs: 60_000,
      transfer: [raw.buffer as ArrayBuffer],
    });
    const body = { hash: Buffer.from(out.hash), parsed: shiftParsed(final.body.parsed, inserted) };
    return { message: { raw: Buffer.from(out.buffer), body }, targets };
  });
  return Promise.all(copies);
}
