// The two servers of the harness, holding the same corpus: homepost (the whole server in this
// process, startTestServer, the IMAP service only) with the messages delivered through
// store.messages.deliver, and Dovecot (dovecot.ts) with the same bytes as maildir files.
import { createImapService } from '../../../src/imap/server.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { inboxCorpus, malformedCorpus } from './corpus.ts';
import { startDovecot, type Dovecot } from './dovecot.ts';
import { Renamer } from './normalize.ts';
import type { Target } from './runner.ts';

const DOVECOT_USER = 'diff';
const DOVECOT_PASSWORD = 'diff password 1';

export interface Pair {
  homepost: Target;
  dovecot: Target;
  close(): Promise<void>;
}

export async function startPair(): Promise<Pair> {
  const inbox = inboxCorpus();
  const malformed = malformedCorpus();
  const server: TestServer = await startTestServer({ starters: [createImapService()] });
  const { address, password } = server.devAccount!;
  let dovecot: Dovecot | null = null;
  try {
    const store = server.context.store;
    const accountId = store.accounts.get(address)!.id;
    await store.mailboxes.create(accountId, 'Malformed');
    // One delivery at a time: UIDs follow the corpus order.
    for (const [mailbox, list] of [
      ['INBOX', inbox],
      ['Malformed', malformed],
    ] as const) {
      for (const m of list) {
        const [outcome] = await store.messages.deliver({ raw: m.raw, targets: [{ accountId, mailbox }], internalDate: m.internalDate });
        if (!outcome?.ok) throw new Error(`delivery of ${m.label} failed: ${JSON.stringify(outcome)}`);
      }
    }
    dovecot = await startDovecot({
      users: [{ name: DOVECOT_USER, password: DOVECOT_PASSWORD }],
      messages: [
        ...inbox.map((m) => ({ user: DOVECOT_USER, raw: m.raw, internalDate: m.internalDate })),
        ...malformed.map((m) => ({ user: DOVECOT_USER, mailbox: 'Malformed', raw: m.raw, internalDate: m.internalDate })),
      ],
    });
  } catch (e) {
    await server.close();
    throw e;
  }
  const d = dovecot;
  return {
    homepost: { name: 'homepost', port: server.ports.imap!, user: address, password, uidValidity: new Renamer('V') },
    dovecot: { name: 'dovecot', port: d.port, user: DOVECOT_USER, password: DOVECOT_PASSWORD, uidValidity: new Renamer('V') },
    async close() {
      try {
        await d.stop();
      } finally {
        await server.close();
      }
    },
  };
}
