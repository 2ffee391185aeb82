// The release key an executable trusts: the public half of the key `make release` signs with,
// built into the executable as a SEA asset (tools/build-binary.ts --release-key). An executable
// built without one, or run from a checkout, accepts no update.
import type { KeyObject } from 'node:crypto';
import { asset } from '../runtime/sea.ts';
import { publicKeyOf } from './format.ts';

export const RELEASE_KEY_ASSET = 'release-key.pem';

export function builtInReleaseKey(): KeyObject | null {
  const pem = asset(RELEASE_KEY_ASSET);
  return pem ? publicKeyOf(pem) : null;
}
