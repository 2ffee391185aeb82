// Checking a login against an account's stored credentials (store.accounts.credentials): a
// password against its argon2id hash (password.ts), behind the cache of recent successes
// (credential-cache.ts), and an APOP digest (RFC 1939 7) against the account's POP secret.
// A disabled account never logs in. The caller goes through the one login path (login.ts).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AccountInfo } from '../store/index.ts';
import type { Accounts } from '../store/accounts.ts';
import { CredentialCache } from './credential-cache.ts';
import { DUMMY_HASH, verifyPassword } from './password.ts';

// One per process, like Dovecot's auth cache: an entry holds the stored hash it was checked
// against, so it is valid for whichever store holds that hash.
const verified = new CredentialCache();

// The account for these credentials, or null (unknown, disabled, wrong password: the caller
// cannot tell which, and neither can a timing observer).
export async function checkPassword(accounts: Accounts, address: string, password: string): Promise<AccountInfo | null> {
  const rec = accounts.credentials(address);
  if (rec && !rec.disabled && verified.hit(rec.address, password, rec.passwordHash)) return accounts.get(rec.address);
  const ok = await verifyPassword(password, rec?.passwordHash ?? DUMMY_HASH);
  if (!rec || !ok || rec.disabled) return null;
  verified.remember(rec.address, password, rec.passwordHash);
  return accounts.get(rec.address);
}

// RFC 1939 7 APOP: digest is MD5(timestamp + secret) in hex, with the account's separate POP
// secret. The account, or null (unknown, disabled, no secret, wrong digest). The digest is
// computed even without a secret, so that timing does not tell which accounts have one.
export function verifyApop(accounts: Accounts, address: string, timestamp: string, digestHex: string): AccountInfo | null {
  const rec = accounts.credentials(address);
  const secret = rec && !rec.disabled ? rec.popSecret : null;
  const expected = createHash('md5')
    .update(timestamp + (secret ?? ''))
    .digest();
  const given = Buffer.from(digestHex, 'hex');
  const ok = given.length === expected.length && timingSafeEqual(expected, given);
  return ok && rec && secret !== null ? accounts.get(rec.address) : null;
}
