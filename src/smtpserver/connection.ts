// smtp-server (3.21) speaks the protocol; this subclass changes five things about it:
// - Replies carry the RFC 3463 code homepost chose: an error whose text starts with an enhanced
//   code ("5.7.1 Relay access denied", reply.ts) is sent with that code, where the library would
//   derive one from the reply code alone (554 -> 5.6.0). Library replies keep the library's codes
//   except 538, which RFC 4954 6 pairs with 5.7.11.
// - MAIL FROM and RCPT TO are parsed by command-line.ts (strict RFC 5321 paths and parameters)
//   instead of the library's lenient parser, which strips source routes and accepts "a.@b".
// - EHLO lists AUTH only where authentication is allowed (after TLS; loopback in development).
// - Error replies are counted; at smtp.maxErrors the session ends with 421 4.7.0.
// - Shutdown (shutdown()): 421 4.3.2 at once between transactions, after the transaction under
//   way otherwise (RFC 5321 3.8), within a grace period.
// Also: no 100 ms greeting delay (the library's early-talker pause), which would cap a client
// that opens a connection per message at ten messages a second.
// The library members overridden or called here are listed in library-internals.ts, which checks
// them when this module loads.
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { SMTPConnection, type SMTPConnectionOptions } from 'smtp-server/lib/smtp-connection.js';
import type net from 'node:net';
import type tls from 'node:tls';
import type { ParsedPath } from '../smtp/address.ts';
import { parsePathCommand } from './command-line.ts';
import type { DsnMailParams, DsnRcptParams, EsmtpParams } from '../smtp/esmtp-params.ts';
import { assertLibraryInternals } from '../smtp/library-internals.ts';
import { REPLIES } from './reply.ts';

assertLibraryInternals('smtp-server');

// What the library passes to onMailFrom/onRcptTo, with the strict parse attached.
export interface ParsedCommand {
  address: string;
  args: EsmtpParams | false;
  path: ParsedPath;
  params: EsmtpParams;
  // RFC 3461, strictly parsed (not the library's own `dsn`, which it fills in after this).
  dsnParams: DsnMailParams & DsnRcptParams;
}

export interface ConnectionPolicy {
  // May this connection authenticate (and so see AUTH in EHLO)?
  authAllowed(connection: { secure: boolean; remoteAddress: string }): boolean;
  maxErrors(): number;
  // Called for each accepted socket before its session starts (settings that shape it).
  prepare(): void;
}

const ENHANCED_PREFIX = /^([245]\.\d{1,3}\.\d{1,3}) ([\s\S]*)$/;
const LIBRARY_CODES: Record<number, string> = { 538: '5.7.11' };

export class HomepostConnection extends SMTPConnection {
  private explicitEnhanced: string | null = null;
  private syntaxError: { enhanced: string; reason: string } | null = null;
  private errors = 0;
  // Set by shutdown(): the session ends as soon as no transaction is under way.
  private closing = false;

  private get policy(): ConnectionPolicy {
    return (this._server as HomepostSmtpServer).policy;
  }

  override init(): void {
    this._setListeners(() => this.connectionReady());
  }

  override send(code: number, data?: string | string[] | null, context?: string | false): void {
    let payload = data;
    let enhanced: string | null = LIBRARY_CODES[code] ?? null;
    if (typeof data === 'string') {
      const m = ENHANCED_PREFIX.exec(data);
      if (m && m[1][0] === String(code)[0]) {
        enhanced = m[1];
        payload = m[2];
      }
    }
    if (code === 501 && this.syntaxError) {
      enhanced = this.syntaxError.enhanced;
      payload = `${typeof payload === 'string' ? payload.replace(/^Error: /, '') : 'Syntax error'}: ${this.syntaxError.reason}`;
      this.syntaxError = null;
    }
    // RFC 4954 3 and RFC 3207 4.2: AUTH is advertised only where it may be used.
    if (Array.isArray(data) && code === 250 && !this.policy.authAllowed(this)) {
      payload = data.filter((line) => !/^AUTH\b/i.test(line));
    }
    this.explicitEnhanced = enhanced;
    try {
      super.send(code, payload, context);
    } finally {
      this.explicitEnhanced = null;
    }
    if (code >= 500 && ++this.errors >= this.policy.maxErrors()) {
      const r = REPLIES.tooManyErrors;
      this.send(r.code, `${r.enhanced} ${r.text}`);
    }
    // The library resets the transaction right after its last reply.
    if (this.closing && code !== 421) setImmediate(() => this.goodbyeIfIdle());
  }

  // The server is closing: 421 4.3.2 now between transactions; a transaction under way may
  // finish first, for graceMs at most.
  shutdown(graceMs: number): void {
    if (this.closing) return;
    this.closing = true;
    setTimeout(() => this.goodbye(), graceMs).unref();
    this.goodbyeIfIdle();
  }

  private goodbyeIfIdle(): void {
    if (!this.session.envelope?.mailFrom && !this._dataStream) this.goodbye();
  }

  // The library's end of a connection, whichever socket (plain, or TLS after STARTTLS) closed.
  override _onClose(): void {
    super._onClose();
    this.emit('closed');
  }

  private goodbye(): void {
    if (this._closing) return;
    const r = REPLIES.shuttingDown;
    this.send(r.code, `${r.enhanced} ${r.text}`);
  }

  override _getEnhancedStatusCode(code: number, context?: string | false): string {
    if (this.explicitEnhanced && this._useEnhancedStatusCodes()) return this.explicitEnhanced;
    return super._getEnhancedStatusCode(code, context);
  }

  // Returns what the library expects ({address, args}) plus the strict parse, or false (501).
  override _parseAddressCommand(rawName: string, rawCommand: Buffer | string): ReturnType<SMTPConnection['_parseAddressCommand']> {
    const verb = rawName.toUpperCase() === 'MAIL FROM' ? 'MAIL FROM' : 'RCPT TO';
    // String trim is linear; a regex alternation anchored with "$" is not on a run of spaces.
    const line = rawCommand.toString().trim();
    try {
      const smtpUtf8 = verb === 'RCPT TO' ? Boolean(this.session.envelope?.smtpUtf8) : false;
      const { path, params, dsn } = parsePathCommand(line, verb, (p) => smtpUtf8 || p.SMTPUTF8 === true);
      const address = path.kind === 'mailbox' ? path.mailbox.address : path.kind === 'postmaster' ? 'Postmaster' : '';
      const parsed: ParsedCommand = { address, args: Object.keys(params).length ? params : false, path, params, dsnParams: dsn };
      return parsed;
    } catch (e) {
      const isParam = (e as Error).name === 'ParamSyntaxError';
      // RFC 3463: X.5.4 bad parameters, X.1.7 bad sender syntax, X.1.3 bad destination syntax.
      this.syntaxError = { enhanced: isParam ? '5.5.4' : verb === 'MAIL FROM' ? '5.1.7' : '5.1.3', reason: (e as Error).message };
      return false;
    }
  }
}

export class HomepostSmtpServer extends SMTPServer {
  policy: ConnectionPolicy;

  constructor(options: SMTPServerOptions, policy: ConnectionPolicy) {
    super(options);
    this.policy = policy;
  }

  // As SMTPServer.connect, with the subclass above; returns the connection.
  override connect(socket: net.Socket | tls.TLSSocket, socketOptions?: SMTPConnectionOptions | null): HomepostConnection {
    this.policy.prepare();
    const connection = new HomepostConnection(this, socket, socketOptions);
    this.connections.add(connection);
    connection.on('error', (err: Error) => this._onError(err));
    connection.on('connect', (data) => this._onClientConnect(data));
    connection.init();
    return connection;
  }
}
