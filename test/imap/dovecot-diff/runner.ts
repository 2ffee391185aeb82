// Runs a script against one server and records its transcript: for every step, the normalized
// lines of what the server answered. Sessions "a" and "b" are separate connections, logged in
// before the first step; steps run strictly one after the other, so interleavings are the same
// on both servers.
import { TranscriptClient, type Response } from './client.ts';
import { normalizeStep, type Renamer, responseLines } from './normalize.ts';
import type { Script, Step } from './scripts/index.ts';

export interface Target {
  name: 'homepost' | 'dovecot';
  port: number;
  user: string;
  password: string;
  // One per server and run: UIDVALIDITY values keep their identity across scripts.
  uidValidity: Renamer;
}

export interface StepResult {
  // What the step sent, as the script wrote it (before {{capture}} substitution).
  step: string;
  lines: string[];
  // The raw responses, for captures and for debugging.
  raw: Response[];
}

const sessionOf = (s: Step) => (typeof s === 'string' ? (/^([ab]): /.exec(s)?.[1] ?? 'a') : (s.session ?? 'a')) as 'a' | 'b';
const textOf = (s: Step) => (typeof s === 'string' ? s.replace(/^[ab]: /, '') : s.command);

export async function runScript(target: Target, script: Script): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const record = (step: string, raw: Response[]) => {
    results.push({ step, raw, lines: normalizeStep(raw.flatMap((r) => responseLines(r, target.uidValidity))) });
  };
  const sessions = new Map<'a' | 'b', { client: TranscriptClient; tags: number; idleTag: string | null }>();
  const vars = new Map<string, string>();
  try {
    for (const name of script.sessions ?? ['a']) {
      const client = await TranscriptClient.connect(target.port);
      const session = { client, tags: 0, idleTag: null as string | null };
      sessions.set(name, session);
      const greeting = await client.take(1);
      const login = await client.command(`${name}0`, `LOGIN "${target.user}" "${target.password}"`);
      record(`${name}: <connect> LOGIN`, [...greeting, ...login]);
    }
    for (const step of script.steps) {
      const name = sessionOf(step);
      const session = sessions.get(name);
      if (!session) throw new Error(`${script.name}: step for session ${name}, which the script does not open`);
      const { client } = session;
      const text = textOf(step).replace(/\{\{(\w+)\}\}/g, (_, v: string) => {
        const value = vars.get(v);
        if (value === undefined) throw new Error(`${script.name}: nothing captured as ${v}`);
        return value;
      });
      let raw: Response[];
      if (text === '<wait>') {
        // What another session's change must cause (during IDLE): the first response, then
        // whatever follows it closely.
        raw = [...(await client.take(1, 10_000)), ...(await client.drain(300))];
      } else if (text === '<quiet>') {
        // Nothing may arrive unasked.
        raw = await client.drain(300);
      } else if (text === 'DONE') {
        if (!session.idleTag) throw new Error(`${script.name}: DONE without IDLE`);
        client.write('DONE\r\n');
        const tag = session.idleTag;
        session.idleTag = null;
        raw = await client.until((r) => r.startsWith(`${tag} `));
      } else {
        const tag = `${name}${++session.tags}`;
        if (/^IDLE$/i.test(text)) {
          // Up to the continuation request; the tagged reply follows DONE.
          client.write(`${tag} IDLE\r\n`);
          raw = await client.until((r) => r.startsWith('+') || r.startsWith(`${tag} `));
          if (raw.at(-1)?.startsWith('+')) session.idleTag = tag;
        } else {
          raw = await client.command(tag, text);
        }
      }
      record(`${name}: ${textOf(step)}`, raw);
      if (typeof step !== 'string' && step.capture) {
        for (const [v, re] of Object.entries(step.capture)) {
          const m = raw.map((r) => re.exec(r)).find((x) => x);
          if (!m?.[1]) throw new Error(`${script.name}: ${target.name} gave nothing for ${v} in ${JSON.stringify(raw)}`);
          vars.set(v, m[1]);
        }
      }
    }
  } finally {
    for (const { client } of sessions.values()) client.close();
  }
  return results;
}
