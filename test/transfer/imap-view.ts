// What an IMAP client sees of an account, read with imapflow: every selectable folder (named by
// `rename`, or left out when it gives null), its UIDVALIDITY, and each message's UID, flags (less
// \Recent), INTERNALDATE and the SHA-256 of its bytes. For comparing homepost with Dovecot, and
// an account with the one it was imported from.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ImapFlow } from 'imapflow';

export interface Seen {
  uid: number;
  flags: string[];
  date: number;
  sha: string;
}
export type View = Map<string, { uidValidity: number; messages: Seen[] }>;

export async function view(client: ImapFlow, rename: (path: string) => string | null = (p) => p): Promise<View> {
  const out: View = new Map();
  for (const f of await client.list()) {
    if (f.flags.has('\\Noselect')) continue;
    const name = rename(f.path);
    if (name === null) continue;
    const mb = await client.mailboxOpen(f.path, { readOnly: true });
    const messages: Seen[] = [];
    if (mb.exists > 0) {
      for await (const m of client.fetch('1:*', { uid: true, flags: true, internalDate: true, source: true })) {
        messages.push({
          uid: m.uid,
          flags: [...(m.flags ?? [])].filter((x) => x !== '\\Recent').sort(),
          date: new Date(m.internalDate!).getTime(),
          sha: createHash('sha256').update(m.source!).digest('hex'),
        });
      }
    }
    out.set(name, { uidValidity: Number(mb.uidValidity), messages: messages.sort((a, b) => a.uid - b.uid) });
  }
  return out;
}

export async function withClient<T>(o: { port: number; user: string; password: string; tls: boolean }, fn: (c: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: o.port,
    secure: false,
    doSTARTTLS: o.tls,
    auth: { user: o.user, pass: o.password },
    tls: { rejectUnauthorized: false },
    logger: false,
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.logout();
  }
}

// The same messages in the same order, flags and dates; UIDs and UIDVALIDITY too when asked.
export function assertSameView(actual: View, expected: View, o: { uids: boolean; what: string }) {
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort(), `${o.what}: folders`);
  for (const [name, e] of expected) {
    const a = actual.get(name)!;
    const strip = (ms: Seen[]) => (o.uids ? ms : ms.map(({ uid: _, ...rest }) => rest));
    assert.deepEqual(strip(a.messages), strip(e.messages), `${o.what}: ${name}`);
    if (o.uids) assert.equal(a.uidValidity, e.uidValidity, `${o.what}: ${name} UIDVALIDITY`);
  }
}
