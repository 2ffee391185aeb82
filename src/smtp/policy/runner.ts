// Runs the rules of one stage in order: the first verdict other than 'next' decides. The stage
// has a deadline, an AbortSignal every rule gets; a rule still running when it passes is answered
// with a temporary failure and whatever it returns later is ignored (Haraka issues #2448, #2939:
// style.md). Every rule's outcome is appended to the transaction's results.
import { REPLIES } from '../reply.ts';
import type { Rule, SmtpContext, Stage, StageInput, Verdict } from './types.ts';

export async function runStage<S extends Stage>(
  rules: readonly Rule<S>[],
  ctx: SmtpContext,
  input: StageInput[S],
  deadlineMs: number,
): Promise<Verdict & { rule: string | null }> {
  // One deadline for the stage: the rule running when it passes is answered for.
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<Verdict>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`policy overran ${deadlineMs} ms`));
      const r = REPLIES.policyTimeout;
      resolve({ verdict: 'tempfail', code: r.code, enhanced: r.enhanced, text: r.text, reason: 'deadline' });
    }, deadlineMs);
  });
  try {
    for (const rule of rules) {
      const v = await Promise.race([
        rule.run(ctx, input, controller.signal).catch((e: unknown): Verdict => {
          const r = REPLIES.localError;
          return { verdict: 'tempfail', code: r.code, enhanced: r.enhanced, text: r.text, reason: `error: ${(e as Error)?.message ?? e}` };
        }),
        overrun,
      ]);
      ctx.transaction.results.push({ rule: rule.name, outcome: v.verdict, reason: v.reason ?? v.text ?? '' });
      if (v.verdict !== 'next') return { ...v, rule: rule.name };
    }
    return { verdict: 'next', rule: null };
  } finally {
    clearTimeout(timer);
  }
}
