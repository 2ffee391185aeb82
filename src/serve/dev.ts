// Development bootstrap for `homepost serve --dev`: the example.test domain and an account whose
// password is kept in the data folder (mode 0600) so that each start can print it.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/index.ts';
import { hashNewPassword } from '../auth/password.ts';

export const DEV_DOMAIN = 'example.test';
export const DEV_ACCOUNT = `dev@${DEV_DOMAIN}`;

export async function ensureDevAccount(store: Store, dataDir: string): Promise<{ address: string; password: string }> {
  const file = path.join(dataDir, 'dev-password');
  if (!store.domains.isLocal(DEV_DOMAIN)) await store.domains.add(DEV_DOMAIN);
  let password = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  const known = store.accounts.get(DEV_ACCOUNT);
  if (!known || !password) {
    password = randomBytes(9).toString('base64url');
    if (known) await store.accounts.setPasswordHash(DEV_ACCOUNT, await hashNewPassword(password));
    else await store.accounts.create({ address: DEV_ACCOUNT, passwordHash: await hashNewPassword(password) });
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
  }
  return { address: DEV_ACCOUNT, password };
}
