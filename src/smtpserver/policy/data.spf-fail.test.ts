import assert from 'node:assert/strict';
import { test } from 'node:test';
import { incoming, makeContext } from '../../../test/smtp/policy-context.ts';
import type { InboundAuth } from '../../smtp/auth-results.ts';
import { spfFail } from './data.spf-fail.ts';

test('spf-fail: SPF fail without DKIM aligned with From is marked for Junk, only with smtp.junkSpfFail', async () => {
  const cases: [boolean, Partial<InboundAuth>, string[], boolean][] = [
    [true, { spf: 'fail', spfDomain: 'example.org' }, ['a@example.org'], true],
    [false, { spf: 'fail' }, ['a@example.org'], false],
    [true, { spf: 'softfail' }, ['a@example.org'], false], // ~all asks for no action
    [true, { spf: 'fail', dkimPass: ['example.org'] }, ['a@example.org'], false],
    [true, { spf: 'fail', dkimPass: ['mail.example.org'] }, ['a@example.org'], false], // relaxed alignment
    [true, { spf: 'fail', dkimPass: ['other.example'] }, ['a@example.org'], true], // unaligned DKIM proves nothing
    [true, { spf: 'fail', dkimPass: ['example.org'] }, [], true], // no From to align with
    [true, { spf: 'pass' }, ['a@example.org'], false],
  ];
  for (const [junkSpfFail, auth, from, junk] of cases) {
    const ctx = makeContext({ settings: { junkSpfFail } });
    const v = await spfFail.run(ctx, { message: incoming({ from, auth }) }, AbortSignal.timeout(1000));
    assert.equal(v.verdict, 'next');
    assert.deepEqual(
      ctx.transaction.junk.map((m) => [m.rule, m.kind]),
      junk ? [['spf-fail', 'junk']] : [],
      JSON.stringify([junkSpfFail, auth, from]),
    );
  }
});
