// The one-time setup code (docs/architecture.md, "Security model"): until an admin password exists, the setup
// page accepts a new admin password only with this code, which is shown where only someone at the
// device can read it: its console and its log. The code lives in memory; a restart makes a new one.
import { constants, closeSync, openSync, writeSync } from 'node:fs';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../log/log.ts';

// 32 symbols without 0/O and 1/I: 5 bits each, 60 bits for 12 of them.
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const CODE_LENGTH = 12;

export function newSetupCode(): string {
  return [...randomBytes(CODE_LENGTH)].map((b) => ALPHABET[b & 31]).join('');
}

// As shown: ABCD-EFGH-JKLM.
export function formatCode(code: string): string {
  return code.match(/.{1,4}/g)!.join('-');
}

// As typed: any case, with or without the dashes and spaces.
export function normalizeCode(input: string): string {
  return input.replace(/[\s-]/g, '').toUpperCase();
}

// Compared by digest: equal lengths for timingSafeEqual, and no timing to learn from.
export function sameCode(expected: string, input: string): boolean {
  const d = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(d(expected), d(normalizeCode(input)));
}

// The one log line that carries a secret, and the same words on the console when there is one
// to write to (a device's screen or serial console; not in development).
export function announceSetupCode(code: string, urls: string[], log: Logger, consolePath: string | null): void {
  const shown = formatCode(code);
  log.warn('admin.setup_code', { code: shown, urls });
  if (!consolePath) return;
  const text = `\r\nhomepost setup: open ${urls.join(' or ')} and enter the setup code ${shown}\r\n\r\n`;
  let fd: number | undefined;
  try {
    // O_NOCTTY: the console must not become this process's controlling terminal.
    fd = openSync(consolePath, constants.O_WRONLY | constants.O_NOCTTY | constants.O_NONBLOCK | constants.O_APPEND);
    writeSync(fd, text);
  } catch (e) {
    log.debug('admin.console_unwritable', { path: consolePath, error: e });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
