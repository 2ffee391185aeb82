// MAIL rule "helo", with smtp.heloChecks: the HELO/EHLO name of a client from the internet
// (smtp/reputation/helo.ts). Each problem is a score mark for the junk filing, never a refusal:
// RFC 5321 4.1.4 forbids refusing a message for a HELO that does not match the client.
import { heloProblems, type HeloProblem } from '../../smtp/reputation/helo.ts';
import { fromInternet } from './local.ts';
import { NEXT, type Rule } from './types.ts';

// Added to the junk score (types.ts, JunkMark). Our own name is a forgery; the others are often
// only careless configuration.
const POINTS: Record<HeloProblem, number> = { ours: 0.2, 'literal-mismatch': 0.1, 'bare-address': 0.05, 'no-dot': 0.05 };

export const helo: Rule<'mail'> = {
  name: 'helo',
  stage: 'mail',
  async run(ctx) {
    if (!ctx.settings.heloChecks || !fromInternet(ctx)) return NEXT;
    const { helo: name, remoteAddress } = ctx.session;
    const problems = heloProblems(name, remoteAddress, (n) => n === ctx.directory.hostname || ctx.directory.isLocalDomain(n));
    for (const p of problems) ctx.transaction.junk.push({ rule: 'helo', kind: 'score', points: POINTS[p], reason: `helo ${name}: ${p}` });
    return { verdict: 'next', reason: problems.length ? `helo ${name}: ${problems.join(', ')}` : `helo ${name}` };
  },
};
