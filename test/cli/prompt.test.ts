// Passwords at a terminal: asked twice, never echoed. A real pseudo-terminal from util-linux's
// script(1); the keys are typed only once the prompt is on screen, as a person would.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { Store } from '../../src/store/index.ts';
import { tempDir } from '../support/temp-store.ts';
import { FROM_CHECKOUT, runCli } from './run-cli.ts';
import { checkPassword } from '../../src/auth/verify.ts';

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

// Runs the CLI on a terminal; `keys` answers each prompt in turn once it appears.
function onTerminal(args: string[], answers: { prompt: RegExp; keys: string }[]): Promise<{ code: number; screen: string }> {
  const command = [...FROM_CHECKOUT, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let screen = '';
  const pending = [...answers];
  let answeredUpTo = 0;
  const onOutput = (d: Buffer) => {
    screen += d.toString('utf8');
    while (pending.length) {
      const m = pending[0].prompt.exec(screen.slice(answeredUpTo));
      if (!m) break;
      answeredUpTo += m.index + m[0].length;
      child.stdin.write(pending.shift()!.keys);
    }
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit; screen so far:\n${screen}`));
    }, 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      child.stdin.end();
      resolve({ code: code ?? -1, screen });
    });
  });
}

describe('password prompt on a terminal', () => {
  let dir: string;
  before(async () => {
    dir = tempDir('homepost-tty-');
    assert.equal((await runCli(['domain', 'add', 'example.test', '--data', dir])).code, 0);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('asked twice, not echoed, stored', async () => {
    const { code, screen } = await onTerminal(
      ['user', 'add', 'tty@example.test', '--data', dir],
      [
        { prompt: /New password: /, keys: 'typed secret 1\r' },
        { prompt: /Repeat it: /, keys: 'typed secret 1\r' },
      ],
    );
    assert.equal(code, 0, screen);
    assert.match(screen, /created tty@example\.test/);
    assert.doesNotMatch(screen, /typed secret/);
    const store = await Store.open(dir);
    try {
      assert.ok(await checkPassword(store.accounts, 'tty@example.test', 'typed secret 1'));
    } finally {
      await store.close();
    }
  });

  test('two different answers change nothing', async () => {
    const { code, screen } = await onTerminal(
      ['user', 'passwd', 'tty@example.test', '--data', dir],
      [
        { prompt: /New password: /, keys: 'first secret 1\r' },
        { prompt: /Repeat it: /, keys: 'other secret 2\r' },
      ],
    );
    assert.equal(code, 2, screen);
    assert.match(screen, /the two passwords differ/);
  });

  test('Ctrl-C at the prompt: exit 130', async () => {
    const { code, screen } = await onTerminal(['user', 'passwd', 'tty@example.test', '--data', dir], [{ prompt: /New password: /, keys: '\u0003' }]);
    assert.equal(code, 130, screen);
  });

  test('a confirmation is asked on a terminal: no keeps the account, yes deletes it', async () => {
    const no = await onTerminal(['user', 'del', 'tty@example.test', '--data', dir], [{ prompt: /\[y\/N\] /, keys: 'n\r' }]);
    assert.equal(no.code, 1, no.screen);
    assert.match(no.screen, /Delete tty@example\.test and all of its mail\? \[y\/N\]/);
    const yes = await onTerminal(['user', 'del', 'tty@example.test', '--data', dir], [{ prompt: /\[y\/N\] /, keys: 'y\r' }]);
    assert.equal(yes.code, 0, yes.screen);
    assert.match(yes.screen, /deleted tty@example\.test/);
  });
});
