// RFC 4616 PLAIN, shared by IMAP AUTHENTICATE (RFC 9051 6.2.2) and POP3 AUTH (RFC 5034):
// base64 of [authzid] NUL authcid NUL passwd.

export interface PlainCredentials {
  authzid: string;
  authcid: string;
  password: string;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// Strict base64 (RFC 4648 4, as RFC 5034 4 and RFC 9051 6.2.2 require); null when the text is not.
export function decodeBase64(text: string): Buffer | null {
  return BASE64.test(text) ? Buffer.from(text, 'base64') : null;
}

// The credentials in a decoded PLAIN message, or null when it is malformed (RFC 4616 2: exactly
// two NULs, a non-empty authcid and password, UTF-8 throughout).
export function parsePlain(message: Buffer): PlainCredentials | null {
  const parts: Buffer[] = [];
  let start = 0;
  for (let nul = message.indexOf(0); nul >= 0; nul = message.indexOf(0, start)) {
    parts.push(message.subarray(start, nul));
    start = nul + 1;
  }
  parts.push(message.subarray(start));
  if (parts.length !== 3) return null;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    const [authzid, authcid, password] = parts.map((p) => decoder.decode(p));
    if (!authcid || !password) return null;
    return { authzid, authcid, password };
  } catch {
    return null;
  }
}

// We offer no proxy authorization: an authzid, when given, must name the authcid's own account.
export function isOwnAuthorization(creds: PlainCredentials): boolean {
  return creds.authzid === '' || creds.authzid.toLowerCase() === creds.authcid.toLowerCase();
}
