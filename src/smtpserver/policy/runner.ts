// Runs the rules of one stage in order: the first verdict other than 'next' decides. The stage
// has a deadline, an AbortSignal every rule gets; a rule still running when it passes is answered
// with a temporary failure and whatever it returns later is ignored (Haraka issues #2448, #2939). Every rule's outcome is appended to the transaction's results.
import { REPLIES } from '../reply.ts';
import type { Rule, SmtpContext, Stage, StageInput, Verdict } from './types.ts';

export async function runStage<S extends Stage>(
  rules: readonly Rule<S>[],
  ctx: SmtpContext,
  input: StageInput[S],
  deadlineMs: number,
): Promise<Verdict & { rule: string | null }> {
  const controller = new AbortController();
  let running: string | null = null;
  let over = false;
  const record = (rule: string, v: Verdict) => ctx.transaction.results.push({ rule, outcome: v.verdict, reason: v.reason ?? v.text ?? '' });
  // One deadline for the stage, raced once against the whole sequence: the rule running when it
  // passes is answered for, and nothing it returns later is recorded.
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<Verdict & { rule: string | null }>((resolve) => {
    timer = setTimeout(() => {
      over = true;
      controller.abort(new Error(`policy overran ${deadlineMs} ms`));
      const r = REPLIES.policyTimeout;
      const v: Verdict = { verdict: 'tempfail', code: r.code, enhanced: r.enhanced, text: r.text, reason: 'deadline' };
      if (running) record(running, v);
      resolve({ ...v, rule: running });
    }, deadlineMs);
  });
  const sequence = async (): Promise<Verdict & { rule: string | null }> => {
    for (const rule of rules) {
      running = rule.name;
      let v: Verdict;
      try {
        v = await rule.run(ctx, input, controller.signal);
      } catch (e) {
        const r = REPLIES.localError;
        v = { verdict: 'tempfail', code: r.code, enhanced: r.enhanced, text: r.text, reason: `error: ${(e as Error)?.message ?? e}` };
      }
      if (over) break;
      record(rule.name, v);
      if (v.verdict !== 'next') return { ...v, rule: rule.name };
    }
    running = null;
    return { verdict: 'next', rule: null };
  };
  try {
    return await Promise.race([sequence(), overrun]);
  } finally {
    clearTimeout(timer);
  }
}
