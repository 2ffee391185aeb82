import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { parseServeOptions, UsageError } from './options.ts';

test('serve options: production and development defaults, overrides, errors', () => {
  const prod = parseServeOptions([], {});
  assert.equal(prod.dataDir, '/var/lib/homepost');
  assert.deepEqual(prod.listen.smtp, { host: '::', port: 25 });
  assert.deepEqual(prod.listen.imaps, { host: '::', port: 993 });
  const dev = parseServeOptions(['--dev'], {});
  assert.equal(dev.dataDir, path.resolve('./data'));
  assert.deepEqual(dev.listen.submission, { host: '127.0.0.1', port: 2587 });
  assert.deepEqual(dev.listen.http, { host: '127.0.0.1', port: 8080 });
  const o = parseServeOptions(['--dev', '--data', '/tmp/x', '--listen', 'imap=[::1]:1143', '--ephemeral', '--listen', 'pop3=127.0.0.1:1110'], {});
  assert.equal(o.dataDir, '/tmp/x');
  assert.deepEqual(o.listen.imap, { host: '127.0.0.1', port: 0 });
  assert.deepEqual(o.listen.pop3, { host: '127.0.0.1', port: 1110 });
  assert.equal(parseServeOptions([], { HOMEPOST_DATA: '/srv/mail' }).dataDir, '/srv/mail');
  assert.equal(prod.issueFile, null);
  assert.equal(parseServeOptions(['--issue', '/run/homepost/setup.issue']).issueFile, '/run/homepost/setup.issue');
  assert.throws(() => parseServeOptions(['--issue']), UsageError);
  assert.throws(() => parseServeOptions(['--listen', 'nntp=1.2.3.4:119']), UsageError);
  assert.throws(() => parseServeOptions(['--data']), UsageError);
  assert.throws(() => parseServeOptions(['--bogus']), UsageError);
});
