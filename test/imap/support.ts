// Shared by the IMAP integration tests: a server with only the IMAP service, messages delivered
// through the store, and a small raw client that keeps the server's bytes as they are (so tests
// can check the exact responses that lenient client libraries would hide).
import { createImapService } from '../../src/imap/server.ts';
import type { ImapConfig } from '../../src/imap/session.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { openSocket, Wire } from '../support/wire.ts';

export interface ImapTestServer extends TestServer {
  port: number;
  tlsPort: number;
  user: string;
  password: string;
  accountId: number;
  deliver(raw: Buffer | string, opts?: { mailbox?: string; flags?: string[]; internalDate?: number }): Promise<number>;
}

export async function startImapServer(overrides: Partial<ImapConfig> = {}): Promise<ImapTestServer> {
  const server = await startTestServer({ starters: [createImapService(overrides)] });
  const { address, password } = server.devAccount!;
  const store = server.context.store;
  const account = store.accounts.get(address)!;
  return {
    ...server,
    port: server.ports.imap!,
    tlsPort: server.ports.imaps!,
    user: address,
    password,
    accountId: account.id,
    async deliver(raw, opts = {}) {
      const [outcome] = await store.messages.deliver({
        raw: Buffer.isBuffer(raw) ? raw : Buffer.from(raw),
        targets: [{ accountId: account.id, mailbox: opts.mailbox, flags: opts.flags }],
        internalDate: opts.internalDate,
      });
      if (!outcome!.ok) throw new Error(outcome!.message);
      return outcome!.uid;
    },
  };
}

export interface Reply {
  untagged: string[];
  tagged: string;
  // Everything the server sent for the command, literals included, as text.
  text: string;
}

// A raw IMAP client (test/support/wire.ts) whose lines are responses with their literals inlined.
export class RawClient extends Wire {
  protected override encoding: BufferEncoding = 'utf8';
  protected override tagPrefix = 'A';

  static async connect(port: number, opts: { tls?: boolean } = {}): Promise<RawClient> {
    return new RawClient(await openSocket({ port, tls: opts.tls }));
  }

  // One response line with any literals it carries inlined (CRLF kept inside), without the final CRLF.
  override line(timeoutMs = 5000): Promise<string> {
    return this.imapLine(timeoutMs);
  }

  // Sends "TAG command" and collects the responses up to the tagged one.
  async command(command: string, timeoutMs = 5000): Promise<Reply> {
    const tag = this.nextTag();
    await this.write(`${tag} ${command}\r\n`);
    return this.until(tag, timeoutMs);
  }

  async until(tag: string, timeoutMs = 5000): Promise<Reply> {
    const { untagged, tagged } = await this.imapUntil(tag, timeoutMs);
    return { untagged, tagged, text: [...untagged, tagged].join('\r\n') };
  }

  async login(user: string, password: string): Promise<Reply> {
    return this.command(`LOGIN "${user}" "${password}"`);
  }
}

// Logged-in raw client (the greeting consumed).
export async function loggedIn(server: ImapTestServer): Promise<RawClient> {
  const c = await RawClient.connect(server.port);
  await c.line();
  const r = await c.login(server.user, server.password);
  if (!r.tagged.includes('OK')) throw new Error(`login failed: ${r.tagged}`);
  return c;
}

export function message(n: number | string, extra = '', body = `Body of message ${n}.\r\n`): string {
  return (
    `From: Alice <alice@example.org>\r\nTo: dev@example.test\r\nSubject: test ${n}\r\n` +
    `Date: Thu, 26 Nov 2026 07:00:00 +0000\r\nMessage-ID: <${n}@example.org>\r\n${extra}\r\n${body}`
  );
}

// Sends a command, returns its reply, and fails the test unless it is tagged OK.
export async function ok(c: RawClient, command: string): Promise<Reply> {
  const r = await c.command(command);
  if (!/^\S+ OK/.test(r.tagged)) throw new Error(`${command} -> ${r.text}`);
  return r;
}
