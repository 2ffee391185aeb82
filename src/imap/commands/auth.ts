// Getting authenticated: STARTTLS (RFC 9051 6.2.1), AUTHENTICATE PLAIN with SASL-IR (RFC 9051
// 6.2.2, RFC 4959, RFC 4616) and LOGIN (RFC 9051 6.2.3). Passwords are taken only when
// session.authAllowed (TLS, or loopback in development), and every attempt goes through the one
// login path (src/auth/login.ts).
import { decodeBase64, isOwnAuthorization, parsePlain } from '../../auth/sasl-plain.ts';
import { STATES, type CommandResult, type CommandSpec } from '../command.ts';
import { AlreadyAnswered, ImapBadSyntax, ImapUserError } from '../errors.ts';
import type { ImapSession } from '../session.ts';
import { checkPassword } from '../../auth/verify.ts';

export const starttls: CommandSpec = {
  names: ['STARTTLS'],
  states: STATES.notAuthenticated,
  async run({ session, tag }) {
    if (session.conn.secure) throw new ImapBadSyntax('TLS is already active');
    await session.send(`${tag} OK Begin TLS negotiation now\r\n`);
    try {
      // Anything the client pipelined after STARTTLS is discarded by the connection.
      await session.startTls();
    } catch (e) {
      session.log.info('imap.starttls_failed', { error: e });
      session.logout();
      session.conn.destroy();
      return;
    }
    // The tagged OK was sent before the handshake; nothing more to answer.
    throw new AlreadyAnswered();
  },
};

async function authenticate(session: ImapSession, user: string, mechanism: string, password: string): Promise<CommandResult> {
  const result = await session.svc.logins.login({
    protocol: 'imap',
    remote: session.conn.remoteAddress,
    user,
    mechanism,
    check: () => checkPassword(session.store.accounts, user, password),
    log: session.log,
  });
  if (!result.ok && result.reason === 'locked') throw new ImapUserError('Too many failed logins; try again later', 'UNAVAILABLE');
  if (!result.ok) throw new ImapUserError('Authentication failed', 'AUTHENTICATIONFAILED');
  session.login(result.value);
  return { code: `CAPABILITY ${session.capabilities()}`, text: 'Logged in' };
}

function requirePrivacy(session: ImapSession): void {
  // RFC 9051 6.2.3 LOGINDISABLED; RFC 5530 PRIVACYREQUIRED.
  if (!session.authAllowed) throw new ImapUserError('Use STARTTLS first', 'PRIVACYREQUIRED');
}

export const login: CommandSpec<{ user: string; password: string }> = {
  names: ['LOGIN'],
  states: STATES.notAuthenticated,
  args(p) {
    p.sp();
    const user = p.astring();
    p.sp();
    const password = p.astring();
    return { user, password };
  },
  async run({ session }, { user, password }) {
    requirePrivacy(session);
    return authenticate(session, user, 'LOGIN', password);
  },
};

// RFC 4616 2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
function decodePlain(b64: string): { user: string; password: string } {
  const decoded = decodeBase64(b64);
  if (decoded === null) throw new ImapBadSyntax('Invalid base64 data');
  const creds = parsePlain(decoded);
  if (!creds) throw new ImapUserError('Malformed PLAIN response', 'AUTHENTICATIONFAILED');
  if (!isOwnAuthorization(creds)) throw new ImapUserError('Not authorized', 'AUTHORIZATIONFAILED');
  return { user: creds.authcid, password: creds.password };
}

export const authenticateCommand: CommandSpec<{ mechanism: string; initial: string | null }> = {
  names: ['AUTHENTICATE'],
  states: STATES.notAuthenticated,
  args(p) {
    p.sp();
    const mechanism = p.atom().toUpperCase();
    let initial: string | null = null;
    // RFC 4959: SASL-IR, "=" for an empty initial response.
    if (p.trySp()) initial = p.atom();
    return { mechanism, initial };
  },
  async run({ session }, { mechanism, initial }) {
    if (mechanism !== 'PLAIN') throw new ImapUserError('Unsupported authentication mechanism', 'CANNOT');
    requirePrivacy(session);
    let response = initial === '=' ? '' : initial;
    if (response === null) {
      await session.send('+ \r\n');
      await session.flush();
      const line = await session.conn.readLine(session.limits().maxLine);
      if (line === null) {
        session.logout();
        return;
      }
      response = line.toString('latin1');
      // RFC 9051 6.2.2: "*" cancels the exchange.
      if (response === '*') throw new ImapBadSyntax('Authentication cancelled');
    }
    const { user, password } = decodePlain(response);
    return authenticate(session, user, 'PLAIN', password);
  },
};
