// The three kinds of failure a command can end in (after mox's imapserver/error.go).
// They are thrown anywhere below a command and turned into its tagged reply by dispatch.ts:
// - ImapUserError: the request was understood and refused (NO, optional response code);
// - ImapServerError: something on our side failed (NO, logged with its cause);
// - ImapBadSyntax: the command is malformed or not valid now (BAD).
// RFC 9051 7.1 lists the response codes (RFC 5530 adds most of them).

export class ImapUserError extends Error {
  readonly code: string | null;
  constructor(text: string, code: string | null = null) {
    super(text);
    this.name = 'ImapUserError';
    this.code = code;
  }
}

export class ImapServerError extends Error {
  readonly code: string | null;
  readonly cause: unknown;
  constructor(text: string, cause?: unknown, code: string | null = 'SERVERBUG') {
    super(text);
    this.name = 'ImapServerError';
    this.code = code;
    this.cause = cause;
  }
}

export class ImapBadSyntax extends Error {
  readonly code: string | null;
  constructor(text: string, code: string | null = null) {
    super(text);
    this.name = 'ImapBadSyntax';
    this.code = code;
  }
}

// Thrown by a command that had to send its own tagged reply before finishing (STARTTLS answers
// OK before the handshake); dispatch then sends nothing more.
export class AlreadyAnswered extends Error {}
