import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../log/log.ts';
import { issueText, writeIssue } from './issue.ts';

test('the console text: the code and agetty escapes for the addresses while setup is pending, then the addresses', () => {
  assert.equal(
    issueText('ABCDEFGHJKLM', '::', 443),
    'homepost setup: in a browser on this network open https://\\n.local/ or https://\\4/\nand enter the setup code ABCD-EFGH-JKLM\naddresses: \\4 \\6\n\n',
  );
  assert.equal(issueText(null, '::', 443), 'homepost: the setup page is at https://\\n.local/ or https://\\4/\naddresses: \\4 \\6\n\n');
  // One address: that one, with its port; a backslash stays a backslash for agetty.
  assert.equal(issueText(null, '192.0.2.7', 8443), 'homepost: the setup page is at https://192.0.2.7:8443/\n\n');
  assert.equal(issueText(null, '2001:db8::7', 443), 'homepost: the setup page is at https://[2001:db8::7]/\n\n');
  assert.match(issueText(null, 'a\\b', 443), /https:\/\/a\\\\b\//);
});

test('the file is replaced whole; a folder that is not there is logged, not thrown', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'homepost-issue-'));
  try {
    const file = path.join(dir, 'setup.issue');
    writeIssue(file, 'one\n', createLogger({ write: () => assert.fail('no log line') }));
    writeIssue(file, 'two\n', createLogger({ write: () => assert.fail('no log line') }));
    assert.equal(readFileSync(file, 'utf8'), 'two\n');
    assert.deepEqual(readdirSync(dir), ['setup.issue']);
    const lines: string[] = [];
    writeIssue(path.join(dir, 'missing', 'setup.issue'), 'x', createLogger({ write: (l) => lines.push(l) }));
    assert.equal(JSON.parse(lines[0]).event, 'admin.issue_unwritable');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
