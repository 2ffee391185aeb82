// IMAP before and after login under attack (attack 4 of the issue), against `homepost serve`
// without --dev: before login a literal over 8 KiB is refused (synchronizing: tagged BAD [TOOBIG]
// and no continuation request, RFC 9051 7.1 and RFC 7888 4; non-synchronizing: * BYE and the
// connection closes, RFC 9051 7.1.5); at most 20 connections per client address may wait before
// login (the 21st gets * BYE at greeting); after login, APPEND while the memory for messages in
// flight is spent gets NO [LIMIT] (RFC 5530). The observer watches; mail before and after is intact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  describeOutcome,
  imapAppend,
  imapLogin,
  largeMessage,
  MiB,
  ordinaryMessage,
  preauthAppend,
  sendMail,
  within,
  type SmtpOutcome,
} from '../support/attacks.ts';
import { Wire } from '../support/wire.ts';
import { ALICE, aroundAttack, findingsOf, serverForFile } from './support.ts';

const server = serverForFile();

test('attack 4: six connections announcing a 50 MB APPEND literal before login get BAD [TOOBIG], no continuation', { timeout: 90_000 }, () =>
  findingsOf(async (findings) => {
    const s = server();
    await aroundAttack(
      s,
      findings,
      'attack 4',
      () => preauthAppend({ port: s.ports.imap, localAddress: '127.0.0.67', connections: 6, size: 52_428_000 }),
      (answers) =>
        assert.ok(
          answers.every((a) => /^a BAD \[TOOBIG\]/.test(a)),
          `tagged BAD [TOOBIG] instead of "+": ${answers.join(' | ')}`,
        ),
    );
    // The same for a literal in LOGIN; a small one still works (RFC 9051 6.2.3 allows any astring).
    const w = await Wire.open({ port: s.ports.imaps, tls: true, localAddress: '127.0.0.67' });
    try {
      await w.line();
      await w.write('b LOGIN {9000}\r\n');
      const big = await w.line(5000).catch((e: Error) => e.message);
      findings.check(() => assert.match(big, /^b BAD \[TOOBIG\]/, 'a 9000-octet literal in LOGIN before login'));
      if (big.startsWith('+')) return;
      await w.write(`c LOGIN {${ALICE.address.length}}\r\n`);
      assert.match(await w.line(), /^\+/);
      await w.write(`${ALICE.address} {${ALICE.password.length}}\r\n`);
      assert.match(await w.line(), /^\+/);
      await w.write(`${ALICE.password}\r\n`);
      const r = await w.imapUntil('c');
      findings.check(() => assert.match(r.tagged, /^c OK/, 'LOGIN with small synchronizing literals still works'));
    } finally {
      w.close();
    }
  }),
);

test('a non-synchronizing literal over 8 KiB before login: * BYE and the connection closes', { timeout: 90_000 }, () =>
  findingsOf(async (findings) => {
    const s = server();
    for (const command of ['d APPEND INBOX {52428000+}', 'e LOGIN {9000+}']) {
      const w = await Wire.open({ port: s.ports.imap, localAddress: '127.0.0.67' });
      try {
        await w.line();
        await w.write(`${command}\r\n`);
        const answer = await w.line(5000).catch(() => (w.closed ? 'closed' : 'nothing in 5 s'));
        findings.check(() => assert.match(answer, /^\* BYE /, `${command}: * BYE (RFC 9051 7.1.5)`));
        const closed = await w.waitClosed(3000);
        findings.check(() => assert.ok(closed, `${command}: the server closes the connection`));
      } finally {
        w.close();
      }
    }
    findings.survived(s);
  }),
);

test('at most 20 connections per client address before login: the 21st gets * BYE at greeting', { timeout: 90_000 }, () =>
  findingsOf(async (findings) => {
    const s = server();
    const held: Wire[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const w = await Wire.open({ port: s.ports.imap, localAddress: '127.0.0.68' });
        held.push(w);
        const greeting = await w.line();
        findings.check(() => assert.match(greeting, /^\* OK/, `connection ${i + 1} of 20 is greeted`));
      }
      const extra = await Wire.open({ port: s.ports.imap, localAddress: '127.0.0.68' });
      held.push(extra);
      const refused = await extra.line(5000).catch((e: Error) => e.message);
      findings.check(() => assert.match(refused, /^\* BYE /, 'the 21st connection from the address: * BYE at greeting (RFC 9051 7.1.5)'));
      // Another address is not affected, over TLS too.
      const other = await imapLogin({ port: s.ports.imaps, tls: true, localAddress: '127.0.0.69', user: ALICE.address, password: ALICE.password });
      other.close();
      // A slot freed by a closed connection is free again.
      held.shift()!.close();
      await new Promise((r) => setTimeout(r, 200));
      const again = await Wire.open({ port: s.ports.imap, localAddress: '127.0.0.68' });
      held.push(again);
      const greeting = await again.line(5000).catch((e: Error) => e.message);
      findings.check(() => assert.match(greeting, /^\* OK/, 'a freed slot is given again'));
    } finally {
      for (const w of held) w.close();
    }
  }),
);

test('APPEND after login while the memory for messages in flight is spent: NO [LIMIT]', { timeout: 120_000 }, () =>
  findingsOf(async (findings) => {
    const s = server();
    // Four SMTP transactions of 20 MiB each, held before their final dot: 80 MiB in flight.
    let arrived = 0;
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let allArrived!: () => void;
    const full = new Promise<void>((r) => (allArrived = r));
    const arrive = () => ++arrived === 4 && allArrived();
    const holding = Array.from({ length: 4 }, (_, i) => {
      let here = false;
      return sendMail(largeMessage(20 * MiB, { subject: `held ${i}` }), {
        port: s.ports.smtp,
        localAddress: '127.0.0.70',
        replyTimeoutMs: 90_000,
        beforeDot: async () => {
          here = true;
          arrive();
          await released;
        },
      }).finally(() => here || arrive());
    });
    const imap = await imapLogin({ port: s.ports.imaps, tls: true, user: ALICE.address, password: ALICE.password });
    let outcomes: SmtpOutcome[] = [];
    try {
      await aroundAttack(
        s,
        findings,
        'APPEND while memory is short',
        async () => {
          await within(full, 30_000);
          await new Promise((r) => setTimeout(r, 500)); // the server reads what the clients wrote
          return imapAppend(imap, largeMessage(10 * MiB, { subject: 'appended while memory is short' }));
        },
        (tagged) => assert.match(tagged, /^\S+ NO \[LIMIT\]/, 'APPEND refused with NO [LIMIT] while the budget is spent'),
      );
    } finally {
      release();
      outcomes = await Promise.all(holding);
    }
    for (const out of outcomes) {
      findings.check(() =>
        assert.ok(
          out.reply?.code === 250 || (out.reply?.code === 452 && out.reply.enhanced === '4.3.1'),
          `a held transaction: 250 or 452 4.3.1, got ${describeOutcome(out)}`,
        ),
      );
    }
    // The budget is free again: an APPEND is taken.
    try {
      const r = await imapAppend(imap, ordinaryMessage('appended afterwards'));
      findings.check(() => assert.match(r, /^\S+ OK/, 'APPEND once memory is free again'));
    } finally {
      imap.close();
    }
  }),
);
