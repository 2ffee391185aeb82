// MAIL rule "fcrdns", with smtp.fcrdns: whether the reverse DNS name of a client from the
// internet leads back to its address (RFC 8601 2.7.3 iprev, smtp/reputation/fcrdns.ts). A client
// without it gets a score mark for the junk filing; it is never refused for it, since many small
// legitimate servers lack it. A DNS failure marks nothing.
import { fromInternet } from './local.ts';
import { NEXT, type Rule } from './types.ts';

// Added to the junk score (types.ts, JunkMark): a nudge, far below what files a message alone.
const POINTS = { fail: 0.1, none: 0.1 } as const;

export const fcrdns: Rule<'mail'> = {
  name: 'fcrdns',
  stage: 'mail',
  async run(ctx, _input, signal) {
    if (!ctx.settings.fcrdns || !fromInternet(ctx)) return NEXT;
    const f = await ctx.lookups.fcrdns(ctx.session.remoteAddress, signal);
    if (f.result === 'pass' || f.result === 'temperror') return { verdict: 'next', reason: `iprev=${f.result}${f.name ? ` ${f.name}` : ''}` };
    const reason = f.result === 'none' ? 'iprev=none: no reverse DNS name' : `iprev=fail: ${f.name} does not lead back to the address`;
    ctx.transaction.junk.push({ rule: 'fcrdns', kind: 'score', points: POINTS[f.result], reason });
    return { verdict: 'next', reason };
  },
};
