// The junk filter end to end, over real sockets: mail sent on port 25 and filed by the account's
// filter, read and moved with Python's imaplib, the training surviving a restart.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { GTUBE } from '../../src/junk/index.ts';
import type { RunningServer } from '../../src/serve/server.ts';
import { hashNewPassword } from '../../src/auth/password.ts';
import { RawSmtp } from '../smtp/harness.ts';
import { type OutboundServer, startOutbound, testSettings, until } from '../smtp/outbound/harness.ts';
import { tempDir } from '../support/temp-store.ts';
import { send, startJunkServer } from './harness.ts';

const runFile = promisify(execFile);
const CLIENT = path.join(import.meta.dirname, 'imap_client.py');

interface Listed {
  uid: number;
  subject: string;
  flags: string[];
  junk: string | null;
}

async function imap<T>(server: RunningServer, ...args: string[]): Promise<T> {
  const { address, password } = server.devAccount!;
  const { stdout } = await runFile('python3', [CLIENT, args[0]!, String(server.ports.imap), address, password, ...args.slice(1)], { timeout: 60_000 });
  return JSON.parse(stdout) as T;
}

const scoreOf = (m: Listed) => Number(/^score=([\d.]+);/.exec(m.junk ?? '')?.[1]);

const spam = (n: number) =>
  ['deals@pharma.example', `Cheap pills discount ${n}`, `Buy cheap viagra pills now, pharmacy discount offer ${n}, limited offer, order today!`] as const;
const ham = (n: number) =>
  [
    'alice@example.org',
    `Garden project meeting ${n}`,
    `Hi, the garden project meeting moves to thursday ${n}. Bring the budget spreadsheet and the seeds list.`,
  ] as const;

test('junk filing at delivery and training from IMAP moves, kept across a restart', async () => {
  const dataDir = tempDir('homepost-junk-');
  let server = await startJunkServer(dataDir);
  try {
    const store = server.context.store;
    const id = store.accounts.get(server.devAccount!.address)!.id;
    // The Junk mailbox is made again, with \Junk, when the filter needs it.
    await store.mailboxes.delete(id, 'Junk');

    await send(server, 'tester@example.org', 'GTUBE test', GTUBE);
    await send(server, 'alice@example.org', 'Hello', 'Just saying hello.');
    assert.equal(store.mailboxes.get(id, 'Junk')?.specialUse, '\\Junk');
    const [gtube, ...restOfJunk] = await imap<Listed[]>(server, 'list', 'Junk');
    assert.deepEqual(restOfJunk, []);
    assert.equal(gtube!.subject, 'GTUBE test');
    assert.ok(gtube!.flags.includes('$Junk'), gtube!.flags.join(' '));
    assert.match(gtube!.junk!, /^score=1\.0000; rule=gtube; reasons= gtube \(1\.0000\)$/);
    const [hello] = await imap<Listed[]>(server, 'list', 'INBOX');
    assert.equal(hello!.subject, 'Hello');
    // Nothing trained yet: no verdict by content, so no keyword.
    assert.match(hello!.junk!, /rule=untrained/);
    assert.ok(!hello!.flags.some((f) => f === '$Junk' || f === '$NotJunk'));

    // Twelve of each arrive untrained in INBOX; the user moves them all to Junk, then the
    // meetings back out: 12 spam, 12 ham.
    for (let i = 0; i < 12; i++) {
      await send(server, ...spam(i));
      await send(server, ...ham(i));
    }
    assert.equal(await imap<number>(server, 'move', 'INBOX', 'Junk', 'Cheap pills'), 12);
    assert.equal(await imap<number>(server, 'move', 'INBOX', 'Junk', 'Garden project'), 12);
    assert.equal(await imap<number>(server, 'move', 'Junk', 'INBOX', 'Garden project'), 12);
    await server.context.junk.idle();
    const classifier = server.context.junk.classifier(id);
    assert.deepEqual([classifier.spamMessages, classifier.hamMessages], [12, 12]);
    const inbox = await imap<Listed[]>(server, 'list', 'INBOX');
    const meetings = inbox.filter((m) => m.subject.startsWith('Garden'));
    assert.equal(meetings.length, 12);
    assert.ok(meetings.every((m) => m.flags.includes('$NotJunk') && !m.flags.includes('$Junk')));

    await send(server, ...spam(100));
    await send(server, ...ham(100));
    const junkNow = await imap<Listed[]>(server, 'list', 'Junk');
    const filed = junkNow.find((m) => m.subject === spam(100)[1]);
    assert.ok(filed, 'new spam is filed in Junk');
    assert.ok(filed.flags.includes('$Junk'));
    assert.match(filed.junk!, /^score=[\d.]+; rule=content; reasons= \S/);
    assert.ok(scoreOf(filed) >= 0.9, filed.junk!);
    const kept = (await imap<Listed[]>(server, 'list', 'INBOX')).find((m) => m.subject === ham(100)[1]);
    assert.ok(kept, 'new ham stays in INBOX');
    assert.ok(kept.flags.includes('$NotJunk'));
    assert.match(kept.junk!, /^score=[\d.]+; rule=content; /);
    assert.ok(scoreOf(kept) < 0.9, kept.junk!);

    // A restart: the counts were saved at the stop, and file the next message the same way.
    await server.stop();
    server = await startJunkServer(dataDir);
    await send(server, ...spam(200));
    assert.ok((await imap<Listed[]>(server, 'list', 'Junk')).some((m) => m.subject === spam(200)[1]));
    assert.deepEqual(server.context.store.checkConsistency(), []);
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

// A message from someone@remote.example to small@example.test, whose quota (2,000 bytes) it
// exceeds, and to the dev account: small's copy waits in the queue, the other is delivered at
// once (a message for small alone would be refused with 452). Returns small's account id.
async function sendPastSmallQuota(hp: OutboundServer, message: string): Promise<number> {
  const small = await hp.store.accounts.create({ address: 'small@example.test', passwordHash: await hashNewPassword('small password 1'), quota: 2000 });
  const c = await RawSmtp.connect(hp.smtp);
  try {
    await c.reply();
    await c.command('EHLO client.example.org');
    await c.command('MAIL FROM:<someone@remote.example>');
    assert.equal((await c.command('RCPT TO:<small@example.test>')).code, 250);
    assert.equal((await c.command(`RCPT TO:<${hp.server.devAccount!.address}>`)).code, 250);
    await c.command('DATA');
    assert.equal((await c.command(`From: <someone@remote.example>\r\n${message}\r\n${'x'.repeat(3000)}\r\n.`)).code, 250);
  } finally {
    c.close();
  }
  return small.id;
}

test('a retried local copy is filed by what the SMTP-time checks said then: an SPF -all failure goes to Junk', async () => {
  // remote.example allows no server (SPF -all); smtp.junkSpfFail files such mail into Junk.
  const dns = { 'remote.example': { TXT: [['v=spf1 -all']] } };
  const hp = await startOutbound({ dns, settings: testSettings(1, { 'smtp.trustedNetworks': [], 'smtp.junkSpfFail': true }) });
  try {
    const small = await sendPastSmallQuota(hp, 'Subject: garden meeting\r\n\r\nthe garden meeting is on thursday');
    const entry = hp.store.queue.list().find((e) => e.recipients.some((r) => r.address === 'small@example.test'));
    // No DMARC pass, so no author to trust or judge.
    assert.deepEqual([entry?.senderMarks?.junkRule, entry?.senderMarks?.author], ['spf-fail', null]);
    await hp.store.accounts.setQuota('small@example.test', 0);
    const junkOf = () => {
      const junk = hp.store.mailboxes.get(small, 'Junk');
      return junk ? hp.store.messages.list(junk.id) : [];
    };
    await until(() => junkOf().length === 1, 'the retry into Junk');
    assert.match(
      hp.store.messages.body(junkOf()[0]!.hash)!.toString('latin1'),
      /\r\nX-Homepost-Junk: score=1\.0000; rule=sender; reasons=\r\n rule:spf-fail \(1\.0000\)\r\n/,
    );
  } finally {
    await hp.close();
  }
});

test('a local recipient retried from the queue gets its copy filed by its junk filter', async () => {
  // The retry schedule in seconds; the peer port is never used (no remote recipient).
  const hp = await startOutbound({ dns: {}, settings: testSettings(1, { 'smtp.trustedNetworks': [] }) });
  try {
    const small = await sendPastSmallQuota(hp, `Subject: room\r\n\r\n${GTUBE}`);
    const junkOf = (id: number) => hp.store.messages.list(hp.store.mailboxes.get(id, 'Junk')!.id);
    assert.equal(junkOf(hp.store.accounts.get(hp.server.devAccount!.address)!.id).length, 1);
    assert.ok(hp.store.queue.list().some((e) => e.junk && e.recipients.some((r) => r.address === 'small@example.test')));
    await hp.store.accounts.setQuota('small@example.test', 0);
    await until(() => junkOf(small).length === 1, 'the retry into Junk');
    const [filed] = junkOf(small);
    assert.deepEqual(filed!.flags, ['$Junk']);
    assert.match(
      hp.store.messages.body(filed!.hash)!.toString('latin1'),
      /^Return-Path: <someone@remote\.example>\r\nX-Homepost-Junk: score=1\.0000; rule=gtube;/,
    );
  } finally {
    await hp.close();
  }
});
