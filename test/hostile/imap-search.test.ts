// A logged-in user's expensive SEARCH (attack 7 of the issue: SEARCH NOT BODY over a mailbox of
// large messages froze every protocol). The server runs in this process (createImapService takes
// the search budget as a config override) with SMTP beside IMAP; the observer probes from its worker
// thread, so a blocked event loop here cannot hide from it. SEARCH must yield to the event loop
// while it runs (the observer's longest wait stays under a second) and end, within its time budget
// (ImapConfig.searchBudgetMs), with its result or tagged NO [LIMIT] (RFC 5530).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createImapService } from '../../src/imap/server.ts';
import type { ImapConfig } from '../../src/imap/session.ts';
import { createSmtpService } from '../../src/smtpserver/service.ts';
import { bulkyTextMessage, describeObserver, imapLogin, MiB, startObserver, type ObserverReport } from '../support/attacks.ts';
import type { Wire } from '../support/wire.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { tableResolver } from '../smtp/harness.ts';
import { MAX_WAIT_MS } from './support.ts';

// Messages of 4 MiB of base64 UTF-8 text: each BODY key decodes all of it (about 130 ms a message
// before the fix: 32 of them froze the server for 2 to 4 s).
const SIZE = 4 * MiB;

async function searchServer(messages: number, searchBudgetMs?: number) {
  // searchBudgetMs is the fix's ImapConfig field; older code ignores it.
  const overrides = (searchBudgetMs === undefined ? {} : { searchBudgetMs }) as Partial<ImapConfig>;
  const server = await startTestServer({ starters: [createImapService(overrides), createSmtpService({ resolve: tableResolver({}) })] });
  const { address, password } = server.devAccount!;
  const store = server.context.store;
  const account = store.accounts.get(address)!;
  for (let i = 0; i < messages; i++) {
    const [outcome] = await store.messages.deliver({ raw: bulkyTextMessage(i, SIZE, address), targets: [{ accountId: account.id }] });
    assert.ok(outcome!.ok);
  }
  return { server, address, password };
}

async function searchObserved(s: { server: TestServer; address: string; password: string }, command: string) {
  const imap: Wire = await imapLogin({ port: s.server.ports.imaps, tls: true, user: s.address, password: s.password });
  try {
    assert.match((await imap.imap('SELECT INBOX')).tagged, /^\S+ OK/);
    const observer = await startObserver({
      smtpPort: s.server.ports.smtp,
      imap: { port: s.server.ports.imaps, tls: true, user: s.address, password: s.password },
    });
    let tagged = '';
    let report: ObserverReport;
    try {
      tagged = (await imap.imap(command, 120_000)).tagged;
    } finally {
      report = await observer.stop();
    }
    // The session goes on after the search.
    assert.match((await imap.imap('NOOP')).tagged, /^\S+ OK/, 'the session still answers');
    return { tagged, report };
  } finally {
    imap.close();
  }
}

describe('attack 7: SEARCH NOT BODY over 128 MiB of base64 text (32 messages)', () => {
  let s: Awaited<ReturnType<typeof searchServer>>;
  before(async () => {
    s = await searchServer(32);
  });
  after(() => s?.server.close());

  test('yields to the event loop: the banner and NOOP of other sessions wait under a second; OK or NO [LIMIT]', { timeout: 120_000 }, async () => {
    const { tagged, report } = await searchObserved(s, 'SEARCH NOT BODY "x"');
    const problems: string[] = [];
    // RFC 9051 6.4.4: every message matches (none holds an "x"); or the budget ran out.
    if (!/^\S+ (OK|NO \[LIMIT\])/.test(tagged)) problems.push(`tagged OK or NO [LIMIT]; got ${tagged}`);
    if (report.maxWaitMs >= MAX_WAIT_MS) problems.push(`the server stayed responsive: ${describeObserver(report)}`);
    assert.deepEqual(problems, []);
  });
});

describe('attack 7: a search over its time budget', () => {
  let s: Awaited<ReturnType<typeof searchServer>>;
  before(async () => {
    s = await searchServer(8, 50);
  });
  after(() => s?.server.close());

  test('ends with tagged NO [LIMIT] (RFC 5530) once searchBudgetMs is spent', { timeout: 120_000 }, async () => {
    const { tagged, report } = await searchObserved(s, 'SEARCH NOT BODY "x"');
    const problems: string[] = [];
    if (!/^\S+ NO \[LIMIT\]/.test(tagged)) problems.push(`NO [LIMIT] after 50 ms of searching; got ${tagged.slice(0, 120)}`);
    if (report.maxWaitMs >= MAX_WAIT_MS) problems.push(`the server stayed responsive: ${describeObserver(report)}`);
    assert.deepEqual(problems, []);
    // A cheap search within the budget still answers.
    const cheap = await searchObserved(s, 'SEARCH UID 1:3');
    assert.match(cheap.tagged, /^\S+ OK/, 'a search within the budget');
  });
});
