// SIGTERM while the server is busy with a message to port 25 (`homepost serve` without --dev):
// (1) its inbound SPF/DKIM/DMARC checks wait on DNS that never answers (dns.servers pointed at a
// silent UDP socket, long dns.timeoutMs and command timeout); (2) it is taking apart a message of
// 100 nested multiparts and 700,000 delimiter lines (attack 3 at full size). Either way the process
// must exit 0 within 10 seconds of SIGTERM with its store consistent, and must not acknowledge the
// message it gave up (RFC 5321 3.8: 421 on the way out).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeOutcome, nestedMultipart, ordinaryMessage, sendMail, within, type HostileServer, type Payload, type SmtpOutcome } from '../support/attacks.ts';
import { ALICE, findingsOf, observe, startServer, type Findings } from './support.ts';

async function sigtermWhileBusy(findings: Findings, server: HostileServer, message: Payload | Buffer, busy: () => Promise<void>): Promise<void> {
  let pending: Promise<SmtpOutcome> | null = null;
  try {
    let written!: () => void;
    const dotSent = new Promise<void>((r) => (written = r));
    pending = sendMail(message, {
      port: server.ports.smtp,
      localAddress: '127.0.0.80',
      to: [ALICE.address],
      replyTimeoutMs: 60_000,
      beforeDot: async () => void setTimeout(written, 50),
    });
    await within(dotSent, 30_000);
    await busy();
    findings.survived(server);
    const started = performance.now();
    const exit = await server.stop(10_000);
    const ms = Math.round(performance.now() - started);
    findings.check(() => assert.ok(exit !== null, `the server exits within 10 s of SIGTERM (killed after ${ms} ms)`));
    if (exit) findings.check(() => assert.deepEqual(exit, { code: 0, signal: null }, `exit 0 on SIGTERM (after ${ms} ms)`));
    const out = await pending;
    if (out.reply?.code === 250)
      findings.problems.push(`the message was acknowledged while the server stopped (it must then be stored): ${describeOutcome(out)}`);
    await findings.checkAsync(async () => assert.deepEqual(await server.checkStore(), [], 'the store passes its consistency check'));
  } finally {
    if (server.alive()) await server.stop(1000);
    await pending?.catch(() => {});
    server.remove();
  }
}

test('SIGTERM while a message waits on DNS that never answers: exit 0 within 10 s', { timeout: 120_000 }, () =>
  findingsOf(async (findings) => {
    // Only the message's own checks ask DNS: the client checks at MAIL (reverse DNS, HELO) would
    // wait on the silent server before DATA, as the message's checks do after it.
    const settings = { 'dns.timeoutMs': 120_000, 'smtp.commandTimeoutMs': 180_000, 'smtp.fcrdns': false, 'smtp.heloChecks': false };
    const server = await startServer({ dns: 'silent', settings });
    await sigtermWhileBusy(findings, server, ordinaryMessage('checked against dead DNS'), async () => {
      // Busy once the checks asked; meanwhile the server must still answer others.
      const { result: queried, report } = await observe(server, async () => {
        for (let i = 0; i < 100 && server.dns.queries() === 0; i++) await new Promise((r) => setTimeout(r, 100));
        await new Promise((r) => setTimeout(r, 300));
        return server.dns.queries();
      });
      assert.ok(queried > 0, 'the inbound checks asked the silent DNS server');
      findings.responsive(report, 'the wait on DNS');
    });
  }),
);

test('SIGTERM while a message of 100 nested multiparts and 700,000 delimiter lines is taken apart: exit 0 within 10 s', { timeout: 120_000 }, () =>
  findingsOf(async (findings) => {
    const server = await startServer();
    await sigtermWhileBusy(findings, server, nestedMultipart(100, 700_000), () => new Promise((r) => setTimeout(r, 300)));
  }),
);
