import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../config/options.ts';
import type { CliSpec } from '../api/group.ts';
import { parseBytes } from '../settings/units.ts';
import { DEFAULT_DATA_DIR, parseCommand, usageLine } from './args.ts';

const spec = (s: Partial<CliSpec<unknown>>): CliSpec<unknown> => ({ summary: '', text: () => '', ...s });

test('positional params, options, and the common options', () => {
  const s = spec({
    args: ['address'],
    options: [
      { flag: '--quota', param: 'quota', kind: 'bytes', help: '' },
      { flag: '--force', param: 'force', kind: 'boolean', help: '' },
    ],
  });
  const p = parseCommand(s, ['a@example.test', '--quota=2G', '--force', '--data', '/d', '--json'], {});
  assert.deepEqual(p, { params: { address: 'a@example.test', quota: 2 * 1024 ** 3, force: true }, dataDir: '/d', json: true, yes: false, help: false });
});

test('a final name... takes the rest as a list; -- ends options', () => {
  const s = spec({ args: ['address', 'targets...'] });
  assert.deepEqual(parseCommand(s, ['a@x.test', 'b@x.test', '--', '--c@x.test'], {}).params, { address: 'a@x.test', targets: ['b@x.test', '--c@x.test'] });
  assert.throws(() => parseCommand(s, ['a@x.test'], {}), /missing TARGETS/);
});

test('an optional last argument: [name] may be left out, [name...] takes none or more', () => {
  const one = spec({ args: ['[address]'] });
  assert.deepEqual(parseCommand(one, [], {}).params, {});
  assert.deepEqual(parseCommand(one, ['a@x.test'], {}).params, { address: 'a@x.test' });
  assert.throws(() => parseCommand(one, ['a@x.test', 'b'], {}), /unexpected argument 'b'/);
  const list = spec({ args: ['address', '[uids...]'] });
  assert.deepEqual(parseCommand(list, ['a@x.test'], {}).params, { address: 'a@x.test', uids: [] });
  assert.deepEqual(parseCommand(list, ['a@x.test', '3', '4'], {}).params, { address: 'a@x.test', uids: ['3', '4'] });
  assert.throws(() => parseCommand(list, [], {}), /missing ADDRESS/);
  assert.equal(usageLine(list), 'ADDRESS [UIDS...] [--data DIR] [--json]');
});

test('list options split on commas and repeat; "" is the empty list', () => {
  const s = spec({ options: [{ flag: '--nets', param: 'nets', kind: 'list', help: '' }] });
  assert.deepEqual(parseCommand(s, ['--nets', '10.0.0.0/8, 192.0.2.0/24', '--nets=::1'], {}).params, { nets: ['10.0.0.0/8', '192.0.2.0/24', '::1'] });
  assert.deepEqual(parseCommand(s, ['--nets', ''], {}).params, { nets: [] });
});

test('the data folder: --data, then HOMEPOST_DATA, then the default; made absolute', () => {
  const s = spec({});
  assert.equal(parseCommand(s, ['--data', 'x'], { HOMEPOST_DATA: 'y' }).dataDir, path.resolve('x'));
  assert.equal(parseCommand(s, [], { HOMEPOST_DATA: '/y' }).dataDir, '/y');
  assert.equal(parseCommand(s, [], {}).dataDir, DEFAULT_DATA_DIR);
});

test('usage errors: unknown or valueless options, extra or missing arguments, passwords on argv', () => {
  const s = spec({ args: ['address'], options: [{ flag: '--quota', param: 'quota', kind: 'bytes', help: '' }] });
  for (const argv of [
    ['a', '--nope'],
    ['a', '-x'],
    ['a', '--quota'],
    ['a', '--quota', 'lots'],
    ['a', '--json=1'],
    ['a', 'b'],
    [],
    ['a', '--password', 'hunter22'],
    ['a', '--yes'], // only commands that confirm take --yes
  ]) {
    assert.throws(() => parseCommand(s, argv, {}), UsageError, argv.join(' '));
  }
  assert.throws(() => parseCommand(s, ['a', '--password=x'], {}), /never taken from the command line/);
});

test('--help skips the argument checks', () => {
  assert.equal(parseCommand(spec({ args: ['address'] }), ['--help'], {}).help, true);
});

test('usage line', () => {
  const s = spec({ args: ['address', 'targets...'], options: [{ flag: '--quota', param: 'q', kind: 'bytes', value: 'SIZE', help: '' }], confirm: () => '?' });
  assert.equal(usageLine(s), 'ADDRESS TARGETS... [--quota SIZE] [--yes] [--data DIR] [--json]');
});

test('sizes', () => {
  assert.equal(parseBytes('1048576'), 1048576);
  assert.equal(parseBytes('500M'), 500 * 1024 ** 2);
  assert.equal(parseBytes('1.5GiB'), 1.5 * 1024 ** 3);
  assert.equal(parseBytes('2 kb'), 2048);
  assert.equal(parseBytes('-1'), null);
  assert.equal(parseBytes('ten'), null);
});
