import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeContext, mailbox } from '../../../test/smtp/policy-context.ts';
import type { Fcrdns } from '../../smtp/reputation/fcrdns.ts';
import { fcrdns } from './mail.fcrdns.ts';

const sender = { sender: { kind: 'mailbox' as const, mailbox: mailbox('a@example.org'), route: [] } };

test('fcrdns: a client without confirmed reverse DNS gets a score mark, never a refusal', async () => {
  const cases: [Fcrdns, number | null][] = [
    [{ result: 'pass', name: 'mx.example.org' }, null],
    [{ result: 'temperror', name: null }, null],
    [{ result: 'none', name: null }, 0.1],
    [{ result: 'fail', name: 'liar.example.org' }, 0.1],
  ];
  for (const [answer, points] of cases) {
    const ctx = makeContext({ lookups: { zone: async () => assert.fail('no zones'), fcrdns: async () => answer } });
    const v = await fcrdns.run(ctx, sender, AbortSignal.timeout(1000));
    assert.equal(v.verdict, 'next');
    assert.match(v.reason!, new RegExp(`^iprev=${answer.result}`));
    assert.deepEqual(
      ctx.transaction.junk.map((m) => (m.kind === 'score' ? m.points : null)),
      points === null ? [] : [points],
      answer.result,
    );
  }
});

test('fcrdns: off, trusted and authenticated clients are not looked up', async () => {
  const lookups = { zone: async () => assert.fail('no zones'), fcrdns: async () => assert.fail('not asked') };
  for (const o of [{ settings: { fcrdns: false } }, { trusted: true }, { account: { id: 1, address: 'dev@example.test' } }]) {
    const ctx = makeContext({ ...o, lookups });
    assert.equal((await fcrdns.run(ctx, sender, AbortSignal.timeout(1000))).verdict, 'next');
    assert.deepEqual(ctx.transaction.junk, []);
  }
});
