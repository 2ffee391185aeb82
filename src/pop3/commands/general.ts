// Commands valid in more than one state: CAPA (RFC 2449 5), QUIT (RFC 1939 4 and 6), NOOP.
import type { LineWriter, Pop3Session } from '../session.ts';
import { argsOf, type Pop3Command } from './command.ts';

// RFC 2449 5: what this session can use. "Capabilities available in the AUTHORIZATION state MUST
// be announced in both states", so the list depends only on the connection: USER and SASL are
// listed only where they are allowed (TLS, or loopback in development), STLS only before TLS on
// the STLS listener. EXPIRE and LOGIN-DELAY are not listed: neither policy is enforced.
export function capabilities(s: Pop3Session): string[] {
  const caps = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING'];
  if (s.authAllowed) caps.push('USER', 'SASL PLAIN');
  if (s.stlsAvailable) caps.push('STLS');
  // RFC 6856 2: the UTF8 command. Not "UTF8 USER": user names and passwords are not SASLprepped.
  caps.push('UTF8', 'IMPLEMENTATION homepost');
  return caps;
}

const capabilityLine: LineWriter<readonly string[]> = (out, caps, k) => {
  out.text(caps[k]!);
};

export const capa: Pop3Command = {
  name: 'CAPA',
  states: ['authorization', 'transaction'],
  async run(s, args) {
    argsOf(args, 0);
    const caps = capabilities(s);
    await s.sendLines('+OK capability list follows', caps.length, capabilityLine, caps);
  },
};

export const quit: Pop3Command = {
  name: 'QUIT',
  states: ['authorization', 'transaction'],
  async run(s, args) {
    argsOf(args, 0);
    await s.quit();
  },
};

// RFC 1939 5 NOOP.
export const noop: Pop3Command = {
  name: 'NOOP',
  states: ['transaction'],
  async run(s, args) {
    argsOf(args, 0);
    await s.send('+OK');
  },
};
