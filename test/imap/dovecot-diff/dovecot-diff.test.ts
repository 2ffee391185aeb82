// The differential harness: every script of scripts/ runs against homepost and against Dovecot
// (both holding the corpus of corpus.ts), the transcripts are normalized (normalize.ts) and
// compared step by step; a line only one server sent fails the test unless allowed.ts allows it
// with an RFC reason. Scripts run in order on one pair of servers (they share the account).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { allowed } from './allowed.ts';
import { report, unexpectedDifferences, type AllowedDifference } from './compare.ts';
import { runScript, type StepResult } from './runner.ts';
import { scripts } from './scripts/index.ts';
import { startPair, type Pair } from './servers.ts';

// A step that got no answer at all would compare equal on both sides: it must not happen.
function assertAnswered(name: string, server: string, steps: StepResult[]): void {
  for (const s of steps) {
    const missing = s.lines.find((l) => l === '<no response>' || l === '<connection closed>');
    assert.equal(missing, undefined, `${name}: ${server} did not answer step ${JSON.stringify(s.step)}`);
  }
}

describe('homepost against Dovecot, same scripts, same corpus', () => {
  let pair: Pair;
  const used = new Set<AllowedDifference>();
  const ran = new Set<string>();
  before(async () => {
    pair = await startPair();
  });
  after(async () => {
    await pair?.close();
  });

  for (const script of scripts) {
    test(script.name, async () => {
      const homepost = await runScript(pair.homepost, script);
      const dovecot = await runScript(pair.dovecot, script);
      ran.add(script.name);
      assertAnswered(script.name, 'homepost', homepost);
      assertAnswered(script.name, 'dovecot', dovecot);
      const diffs = unexpectedDifferences(script.name, homepost, dovecot, allowed, used);
      assert.equal(diffs.length, 0, report(script.name, diffs, homepost, dovecot));
    });
  }

  test('every allowed difference still occurs', () => {
    // Only entries whose scripts all ran this time can be judged (a name pattern may select a few).
    const applies = (e: AllowedDifference) => (e.script === '*' ? ran.size === scripts.length : [e.script].flat().every((s) => ran.has(s)));
    const stale = allowed.filter((e) => applies(e) && !used.has(e)).map((e) => `${[e.script].flat().join(',')} ${e.step ?? ''}: ${e.reason.slice(0, 80)}`);
    assert.deepEqual(stale, [], 'entries of allowed.ts that matched nothing: remove them');
  });
});
