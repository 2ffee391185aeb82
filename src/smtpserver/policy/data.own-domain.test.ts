import assert from 'node:assert/strict';
import { test } from 'node:test';
import { incoming, mailbox, makeContext } from '../../../test/smtp/policy-context.ts';
import type { InboundAuth } from '../../smtp/auth-results.ts';
import { ownDomainRule } from './data.own-domain.ts';

// MAIL FROM, From:, inbound results -> verdict, for mail arriving on port 25 from outside.
test('own-domain: outsiders claiming our domain must pass SPF or aligned DKIM', async () => {
  const cases: [string, string[], Partial<InboundAuth> | null, string][] = [
    ['a@elsewhere.example', ['a@elsewhere.example'], { spf: 'none' }, 'next'], // not ours: not this rule's business
    ['boss@example.test', ['boss@example.test'], { spf: 'none' }, 'reject'], // internal phishing
    ['a@elsewhere.example', ['Boss <boss@example.test>'], { spf: 'pass' }, 'reject'], // SPF of another domain proves nothing
    ['bounce@lists.example.test', ['boss@example.test'], { spf: 'pass' }, 'next'], // aligned SPF (subdomain)
    ['boss@example.test', ['boss@example.test'], { spf: 'fail', dkimPass: ['example.test'] }, 'next'], // aligned DKIM
    ['a@elsewhere.example', ['boss@example.test'], { spf: 'pass', dkimPass: ['elsewhere.example'] }, 'reject'], // unaligned DKIM
    ['boss@mail.example.test', ['x@elsewhere.example'], { spf: 'softfail' }, 'reject'], // a subdomain of ours counts
    ['boss@example.test', ['boss@example.test'], { spf: 'temperror' }, 'tempfail'], // DNS failing: try later
    ['boss@example.test', ['boss@example.test'], null, 'tempfail'], // the checks failed
  ];
  for (const [from, header, auth, verdict] of cases) {
    const ctx = makeContext();
    ctx.transaction.sender = { kind: 'mailbox', mailbox: mailbox(from), route: [] };
    const v = await ownDomainRule.run(ctx, { message: incoming({ from: header, auth }) }, AbortSignal.timeout(1000));
    assert.equal(v.verdict, verdict, `${from} ${header} ${JSON.stringify(auth)}`);
    if (verdict === 'reject') assert.deepEqual([v.code, v.enhanced], [550, '5.7.26']);
  }
});

test('own-domain: authenticated, trusted, submission and switched-off sessions are not checked', async () => {
  const message = incoming({ from: ['boss@example.test'], auth: { spf: 'none' } });
  for (const ctx of [
    makeContext({ account: { id: 1, address: 'boss@example.test' } }),
    makeContext({ trusted: true }),
    makeContext({ listener: 'submission' }),
    makeContext({ settings: { ownDomainSpoofing: 'off' } }),
  ]) {
    ctx.transaction.sender = { kind: 'mailbox', mailbox: mailbox('boss@example.test'), route: [] };
    assert.equal((await ownDomainRule.run(ctx, { message }, AbortSignal.timeout(1000))).verdict, 'next');
  }
});
