// What the server announces (RFC 9051 6.1.1, 7.2.2), by state. Before TLS on port 143 nothing
// that carries a password is offered: LOGINDISABLED and no AUTH= (RFC 9051 6.2.3, 11.1), unless
// development mode allows plaintext on loopback.

// Valid in every state once authentication is possible.
const BASE = ['IMAP4rev1', 'IMAP4rev2', 'LITERAL+', 'SASL-IR', 'ID', 'ENABLE', 'IDLE'];

// After authentication: the extensions of RFC 9051 and the ones docs/rfc-status.md lists.
const AUTHENTICATED = [
  'NAMESPACE',
  'UNSELECT',
  'UIDPLUS',
  'MULTIAPPEND',
  'MOVE',
  'CHILDREN',
  'LIST-EXTENDED',
  'LIST-STATUS',
  'SPECIAL-USE',
  'CREATE-SPECIAL-USE',
  'ESEARCH',
  'SEARCHRES',
  'SORT',
  'SORT=DISPLAY',
  'ESORT',
  'THREAD=ORDEREDSUBJECT',
  'THREAD=REFERENCES',
  'CONDSTORE',
  'QRESYNC',
  'STATUS=SIZE',
  'BINARY',
  'QUOTA',
  'QUOTA=RES-STORAGE',
  'UTF8=ACCEPT',
];

export function capabilityList(o: { authenticated: boolean; secure: boolean; authAllowed: boolean; compressed: boolean; maxMessage: number }): string[] {
  const caps = [...BASE];
  if (!o.authenticated) {
    if (!o.secure) caps.push('STARTTLS');
    caps.push(o.authAllowed ? 'AUTH=PLAIN' : 'LOGINDISABLED');
    return caps;
  }
  caps.push(...AUTHENTICATED, `APPENDLIMIT=${o.maxMessage}`);
  // RFC 4978 4: not offered once compression is active.
  if (!o.compressed) caps.push('COMPRESS=DEFLATE');
  return caps;
}
