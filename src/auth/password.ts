// Password hashing with argon2id (RFC 9106) from node:crypto, stored as a PHC string:
//   $argon2id$v=19$m=7168,t=5,p=2$<salt b64>$<hash b64>
// Memory and passes: OWASP's argon2id setting for tight memory (7 MiB, 5 passes), which it rates
// equal to its 19 MiB / 2 passes default; on a 512 MB device the smaller memory matters more than
// the extra passes. Lanes: one per core up to 4 (RFC 9106 4 recommends 4). The memory is split
// between the lanes, which node:crypto fills on threads of their own, so a login's check takes
// about 1/lanes of the time while a guess still costs an attacker the same memory and passes.
// Each hash holds its parameters, so changing them later leaves old hashes verifiable.
import { argon2, randomBytes, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { StoreError } from '../store/errors.ts';

// 1, 2 or 4: 7 MiB divides evenly into 4 x lanes blocks (RFC 9106 3.2).
export function lanesFor(cores: number): number {
  return cores >= 4 ? 4 : cores >= 2 ? 2 : 1;
}

const PARAMS = { memory: 7168, passes: 5, parallelism: lanesFor(availableParallelism()), tagLength: 32 };

// At most two hashes run together (their memory, and their lanes' threads on a Pi's 4 cores); the
// rest wait their turn (authentication is throttled anyway).
const MAX_CONCURRENT = 2;
let running = 0;
const waiting: (() => void)[] = [];

async function withSlot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function derive(password: string, salt: Buffer, p: typeof PARAMS): Promise<Buffer> {
  return withSlot(
    () => new Promise((resolve, reject) => argon2('argon2id', { message: password, nonce: salt, ...p }, (err, key) => (err ? reject(err) : resolve(key)))),
  );
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, PARAMS);
  return phc(PARAMS, b64(salt), b64(key));
}

function phc(p: typeof PARAMS, salt: string, key: string): string {
  return `$argon2id$v=19$m=${p.memory},t=${p.passes},p=${p.parallelism}$${salt}$${key}`;
}

const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

export async function verifyPassword(password: string, phc: string): Promise<boolean> {
  const m = PHC.exec(phc);
  if (!m) return false;
  const expected = Buffer.from(m[5], 'base64');
  const key = await derive(password, Buffer.from(m[4], 'base64'), {
    memory: Number(m[1]),
    passes: Number(m[2]),
    parallelism: Number(m[3]),
    tagLength: expected.length,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

// Verifying against this when an account does not exist keeps the answer's timing the same as
// for a wrong password, so timing does not reveal which addresses exist.
export const DUMMY_HASH = phc(PARAMS, 'A'.repeat(22), 'A'.repeat(43));

// The rule for a new account password and for an APOP secret: 8 to 1024 characters (refused as
// the store refuses a value it does not accept, so every caller reports it the same way).
export function requireNewSecret(secret: string): string {
  if (secret.length < 8 || secret.length > 1024) {
    throw new StoreError('invalid', 'a password has 8 to 1024 characters');
  }
  return secret;
}

// The hash the store keeps for a new account password (store.accounts.create, setPasswordHash).
export async function hashNewPassword(password: string): Promise<string> {
  return hashPassword(requireNewSecret(password));
}
