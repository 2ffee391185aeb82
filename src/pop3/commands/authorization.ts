// The AUTHORIZATION state: USER/PASS and APOP (RFC 1939 7), AUTH PLAIN (RFC 5034, RFC 4616),
// STLS (RFC 2595 4) and UTF8 (RFC 6856 2). Every way of logging in goes through authenticate(),
// and so through the one login path (src/auth/login.ts).
import type { AccountInfo } from '../../store/index.ts';
import { Pop3Error } from '../errors.ts';
import { decodeBase64, isOwnAuthorization, parsePlain } from '../../auth/sasl-plain.ts';
import { checkPassword, verifyApop } from '../../auth/verify.ts';
import { Maildrop } from '../maildrop.ts';
import type { Pop3Session } from '../session.ts';
import { argsOf, type Pop3Command } from './command.ts';

// RFC 3206 4: a login attempt against policy (credentials in the clear) is an [AUTH] failure.
function requireAuthAllowed(s: Pop3Session): void {
  if (!s.authAllowed) throw new Pop3Error('AUTH', 'authentication needs TLS: use STLS or port 995');
}

// Checks credentials through the one login path (src/auth/login.ts) and logs in. A refused
// attempt gets [AUTH] (RFC 3206 4); while the throttle locks the address or the account,
// [LOGIN-DELAY] (RFC 2449 8.1.1: not allowed to log in until a delay has passed), without
// looking at the credentials.
async function authenticate(s: Pop3Session, user: string, mechanism: string, check: () => Promise<AccountInfo | null> | AccountInfo | null): Promise<void> {
  Maildrop.warm(s.ctx.store, user);
  const result = await s.ctx.logins.login({ protocol: 'pop3', remote: s.conn.remoteAddress, user, mechanism, check, log: s.log });
  if (!result.ok && result.reason === 'locked') throw new Pop3Error('LOGIN-DELAY', 'too many failed logins; try again later');
  if (!result.ok) throw new Pop3Error('AUTH', 'authentication failed');
  await s.login(result.value, mechanism);
}

// RFC 1939 7 USER: the answer does not tell whether the name exists.
export const user: Pop3Command = {
  name: 'USER',
  states: ['authorization'],
  async run(s, args) {
    requireAuthAllowed(s);
    const [name] = argsOf(args, 1);
    s.pendingUser = name;
    await s.send('+OK send PASS');
  },
};

// RFC 1939 7 PASS: the whole rest of the line is the password (spaces included).
export const pass: Pop3Command = {
  name: 'PASS',
  states: ['authorization'],
  async run(s, args) {
    requireAuthAllowed(s);
    const name = s.pendingUser;
    s.pendingUser = null;
    if (name === null) throw new Pop3Error(null, 'USER first');
    if (args === '') throw new Pop3Error(null, 'expected a password');
    await authenticate(s, name, 'USER', () => checkPassword(s.ctx.store.accounts, name, args));
  },
};

// RFC 1939 7 APOP name digest: digest is MD5(timestamp + secret) in lower-case hex, with the
// account's separate POP secret (src/auth/verify.ts; docs/pop3.md says why it is separate).
export const apop: Pop3Command = {
  name: 'APOP',
  states: ['authorization'],
  async run(s, args) {
    requireAuthAllowed(s);
    const [name, digest] = argsOf(args, 2);
    if (!/^[0-9a-fA-F]{32}$/.test(digest)) throw new Pop3Error(null, 'the digest is 32 hexadecimal digits');
    await authenticate(s, name, 'APOP', () => verifyApop(s.ctx.store.accounts, name, s.timestamp, digest));
  },
};

// RFC 5034 AUTH mechanism [initial-response]; PLAIN is the one mechanism (RFC 4616).
export const auth: Pop3Command = {
  name: 'AUTH',
  states: ['authorization'],
  async run(s, args) {
    requireAuthAllowed(s);
    const [mechanism, initial] = argsOf(args, 1, 2);
    if (mechanism.toUpperCase() !== 'PLAIN') throw new Pop3Error(null, `unsupported mechanism ${mechanism.slice(0, 40)}`);
    let response = initial;
    if (response === undefined) {
      // RFC 5034 4: an empty challenge; "*" cancels.
      await s.send('+ ');
      const line = await s.readContinuation();
      if (line === null) return;
      response = line;
    }
    if (response === '*') throw new Pop3Error(null, 'authentication cancelled');
    // RFC 5034 4: "=" is an empty initial response.
    const decoded = response === '=' ? Buffer.alloc(0) : decodeBase64(response);
    if (decoded === null) throw new Pop3Error(null, 'invalid base64');
    const creds = parsePlain(decoded);
    if (creds === null) throw new Pop3Error('AUTH', 'malformed PLAIN credentials');
    await authenticate(s, creds.authcid, 'PLAIN', () =>
      isOwnAuthorization(creds) ? checkPassword(s.ctx.store.accounts, creds.authcid, creds.password) : null,
    );
  },
};

// RFC 2595 4 STLS.
export const stls: Pop3Command = {
  name: 'STLS',
  states: ['authorization'],
  async run(s, args) {
    argsOf(args, 0);
    if (s.conn.secure) throw new Pop3Error(null, 'TLS is already active');
    if (!s.stlsAvailable) throw new Pop3Error(null, 'STLS is not offered here');
    await s.startTls();
  },
};

// RFC 6856 2 UTF8: responses and messages may carry UTF-8 from now on.
export const utf8: Pop3Command = {
  name: 'UTF8',
  states: ['authorization'],
  async run(s, args) {
    argsOf(args, 0);
    s.enableUtf8();
    await s.send('+OK UTF8 enabled');
  },
};
