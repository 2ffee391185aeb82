import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeContext, mailbox } from '../../../test/smtp/policy-context.ts';
import { helo } from './mail.helo.ts';

const sender = { sender: { kind: 'mailbox' as const, mailbox: mailbox('a@example.org'), route: [] } };

test('helo: each problem is a score mark with its reason, never a refusal (RFC 5321 4.1.4)', async () => {
  const cases: [string, string[]][] = [
    ['mx.example.org', []],
    ['[192.0.2.1]', []], // the client's own address (makeContext's)
    ['[192.0.2.9]', ['literal-mismatch']],
    ['192.0.2.1', ['bare-address']],
    ['desktop', ['no-dot']],
    ['mail.example.test', ['ours']], // the server's host name
    ['example.test', ['ours']], // a local domain
  ];
  for (const [name, problems] of cases) {
    const ctx = makeContext({ helo: name });
    const v = await helo.run(ctx, sender, AbortSignal.timeout(1000));
    assert.equal(v.verdict, 'next');
    assert.deepEqual(
      ctx.transaction.junk.map((m) => [m.rule, m.kind, m.reason]),
      problems.map((p) => ['helo', 'score', `helo ${name}: ${p}`]),
      name,
    );
  }
  for (const o of [{ settings: { heloChecks: false } }, { trusted: true }, { listener: 'submission' as const }]) {
    const ctx = makeContext({ ...o, helo: 'desktop' });
    await helo.run(ctx, sender, AbortSignal.timeout(1000));
    assert.deepEqual(ctx.transaction.junk, []);
  }
});
