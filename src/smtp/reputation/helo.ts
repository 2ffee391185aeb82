// What is wrong with a client's HELO/EHLO argument (RFC 5321 4.1.1.1: a domain, or an address
// literal when it has no name). Each problem is a hint of a badly made or forging client, never
// a reason to refuse alone: an address literal that is not the client's address (RFC 5321
// 4.1.3), a bare address without brackets, a name without a dot (RFC 5321 2.3.5: a domain name
// here is fully qualified), or a name that is ours (the server's own host name or one of its
// domains), which no client on the internet has.
import { isIP } from 'node:net';
import { ipBytes } from '../cidr.ts';

export type HeloProblem = 'literal-mismatch' | 'bare-address' | 'no-dot' | 'ours';

export function heloProblems(helo: string, client: string, isOurs: (asciiName: string) => boolean): HeloProblem[] {
  const literal = /^\[(?:IPv6:)?([^\]]+)\]$/i.exec(helo);
  if (literal) {
    const given = ipBytes(literal[1]!);
    const actual = ipBytes(client);
    return given && actual?.equals(given) ? [] : ['literal-mismatch'];
  }
  if (isIP(helo)) return ['bare-address'];
  const name = helo.toLowerCase().replace(/\.$/, '');
  if (!name.includes('.')) return ['no-dot'];
  return isOurs(name) ? ['ours'] : [];
}
