// The one kind of failure a POP3 command reports: an -ERR reply, optionally with a response code,
// after which the session goes on (RFC 1939 3). Commands throw it; session.ts answers it.

// RFC 2449 8.1 (LOGIN-DELAY, IN-USE), RFC 3206 (SYS/TEMP, SYS/PERM, AUTH), RFC 6856 (UTF8).
export type RespCode = 'IN-USE' | 'LOGIN-DELAY' | 'SYS/TEMP' | 'SYS/PERM' | 'AUTH' | 'UTF8';

export class Pop3Error extends Error {
  readonly code: RespCode | null;

  constructor(code: RespCode | null, text: string) {
    super(text);
    this.name = 'Pop3Error';
    this.code = code;
  }

  // The reply line without its CRLF.
  get reply(): string {
    return this.code ? `-ERR [${this.code}] ${this.message}` : `-ERR ${this.message}`;
  }
}

export const noSuchMessage = (arg: string) => new Pop3Error(null, `no such message: ${arg}`);
