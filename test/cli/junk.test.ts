// `homepost junk stats|train|reset|not-junk` as a person runs them, through the running daemon's
// control socket: GTUBE sent on port 25 shows up as a decision, "not junk" moves it to INBOX and
// trains ham, training from a mailbox and a reset change the counts the daemon holds.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { JunkStats, NotJunkResult } from '../../src/api/commands/junk.ts';
import { createControlService } from '../../src/control/server.ts';
import { GTUBE } from '../../src/junk/index.ts';
import type { RunningServer } from '../../src/serve/server.ts';
import { send, startJunkServer } from '../junk/harness.ts';
import { tempDir } from '../support/temp-store.ts';
import { runCli, runJson } from './run-cli.ts';

let server: RunningServer;
let dataDir: string;
let address: string;
const cli = (...args: string[]) => runCli([...args, '--data', dataDir]);
const stats = async () => (await runJson<JunkStats[]>(['junk', 'stats', address, '--data', dataDir]))[0]!;

before(async () => {
  dataDir = tempDir('homepost-junk-cli-');
  server = await startJunkServer(dataDir, [createControlService()]);
  address = server.devAccount!.address;
});

after(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('a GTUBE delivery is a decision in junk stats; not-junk moves it to INBOX and trains ham', async () => {
  const store = server.context.store;
  const id = store.accounts.get(address)!.id;
  const before = await stats();
  assert.deepEqual([before.decisions, before.inJunk, before.counts.spam, before.counts.ham], [[], 0, 0, 0]);

  await send(server, 'tester@example.org', 'GTUBE from the CLI test', GTUBE);
  const s = await stats();
  assert.equal(s.address, address);
  assert.deepEqual([s.junkMailbox, s.inJunk], ['Junk', 1]);
  const junk = store.mailboxes.get(id, 'Junk')!;
  const [filed] = store.messages.list(junk.id);
  assert.equal(s.decisions.length, 1);
  const d = s.decisions[0]!;
  assert.deepEqual(
    { rule: d.rule, score: d.score, reasons: d.reasons, subject: d.subject, mailbox: d.mailbox, uid: d.uid },
    { rule: 'gtube', score: 1, reasons: [{ token: 'gtube', probability: 1 }], subject: 'GTUBE from the CLI test', mailbox: 'Junk', uid: filed!.uid },
  );
  const text = await cli('junk', 'stats');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^${address.replace(/\./g, '\\.')}: 1 in Junk; trained on 0 spam and 0 ham`));
  assert.match(text.stdout, new RegExp(`gtube +1\\.0000 +Junk ${filed!.uid} +GTUBE from the CLI test +gtube\\n`));

  const moved = await runJson<NotJunkResult>(['junk', 'not-junk', address, String(filed!.uid), '--data', dataDir]);
  const inbox = store.mailboxes.get(id, 'INBOX')!;
  const back = store.messages.get(inbox.id, moved.uid)!;
  assert.ok(back.flags.includes('$NotJunk') && !back.flags.includes('$Junk'), back.flags.join(' '));
  assert.deepEqual([moved.counts.spam, moved.counts.ham], [0, 1]);
  const after = await stats();
  assert.deepEqual([after.inJunk, after.counts.ham, after.decisions[0]!.uid], [0, 1, null]);
  // Not in Junk any more: refused, naming it.
  const again = await cli('junk', 'not-junk', address, String(filed!.uid));
  assert.equal(again.code, 4);
  assert.match(again.stderr, /has no message \d+ in Junk/);
});

test('train from a mailbox as spam (taking back its ham), then reset after confirming', async () => {
  const inboxCount = server.context.store.mailboxes.get(server.context.store.accounts.get(address)!.id, 'INBOX')!.count;
  assert.ok(inboxCount >= 1);
  const both = await cli('junk', 'train', address, 'INBOX', '--spam', '--ham');
  assert.equal(both.code, 2);
  assert.match(both.stderr, /one of the two/);
  const nowhere = await cli('junk', 'train', address, 'Nowhere', '--spam');
  assert.deepEqual([nowhere.code, /has no mailbox Nowhere/.test(nowhere.stderr)], [4, true], nowhere.stderr);

  const trained = await runJson<JunkStats>(['junk', 'train', address, 'INBOX', '--spam', '--data', dataDir]);
  // The message trained as ham by not-junk is untrained first: ham goes back to 0.
  assert.deepEqual([trained.counts.spam, trained.counts.ham], [inboxCount, 0]);
  assert.ok(trained.counts.tokens > 0);

  const unconfirmed = await cli('junk', 'reset', address);
  assert.equal(unconfirmed.code, 2);
  assert.match(unconfirmed.stderr, /add --yes/);
  assert.equal((await stats()).counts.spam, inboxCount);
  const reset = await cli('junk', 'reset', address, '--yes');
  assert.equal(reset.code, 0, reset.stderr);
  assert.match(reset.stdout, /trained on 0 spam and 0 ham; 0 tokens/);
  const id = server.context.store.accounts.get(address)!.id;
  assert.equal(server.context.store.junk.counts(id), null);
  // The labels went too: the same messages train again.
  const retrained = await runJson<JunkStats>(['junk', 'train', address, 'INBOX', '--spam', '--data', dataDir]);
  assert.equal(retrained.counts.spam, inboxCount);
  assert.deepEqual(server.context.store.checkConsistency(), []);
});

test('an unknown account is refused', async () => {
  const r = await cli('junk', 'stats', 'nobody@example.test');
  assert.equal(r.code, 4);
  assert.match(r.stderr, /no account nobody@example\.test/);
});
