import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createLogger, silentLogger } from '../log/log.ts';
import { announceSetupCode, CODE_LENGTH, formatCode, newSetupCode, normalizeCode, sameCode } from './setup-code.ts';

test('setup codes: 12 unambiguous symbols, different each time', () => {
  const codes = new Set(Array.from({ length: 200 }, newSetupCode));
  assert.equal(codes.size, 200);
  for (const c of codes) assert.match(c, new RegExp(`^[2-9A-HJ-NP-Z]{${CODE_LENGTH}}$`));
  // Every symbol of the alphabet turns up (32 symbols, 2400 draws).
  assert.equal(new Set([...codes].join('')).size, 32);
});

test('setup codes: shown with dashes, accepted as typed, compared exactly', () => {
  assert.equal(formatCode('ABCDEFGHJKLM'), 'ABCD-EFGH-JKLM');
  assert.equal(normalizeCode(' abcd-efgh jklm\n'), 'ABCDEFGHJKLM');
  assert.ok(sameCode('ABCDEFGHJKLM', 'abcd-efgh-jklm'));
  assert.ok(!sameCode('ABCDEFGHJKLM', 'ABCDEFGHJKLN'));
  assert.ok(!sameCode('ABCDEFGHJKLM', 'ABCDEFGHJKL'));
  assert.ok(!sameCode('ABCDEFGHJKLM', ''));
});

test('the code is announced in one warn line and on the console', () => {
  const consoleFile = path.join(tmpdir(), `homepost-console-${process.pid}`);
  writeFileSync(consoleFile, '');
  const lines: string[] = [];
  try {
    announceSetupCode('ABCDEFGHJKLM', ['https://192.0.2.7/'], createLogger({ write: (l) => lines.push(l) }), consoleFile);
    assert.equal(lines.length, 1);
    const rec = JSON.parse(lines[0]);
    assert.deepEqual([rec.level, rec.event, rec.code, rec.urls], ['warn', 'admin.setup_code', 'ABCD-EFGH-JKLM', ['https://192.0.2.7/']]);
    assert.match(readFileSync(consoleFile, 'utf8'), /open https:\/\/192\.0\.2\.7\/ and enter the setup code ABCD-EFGH-JKLM/);
    // A console that cannot be written to is not an error.
    announceSetupCode('ABCDEFGHJKLM', [], silentLogger, '/proc/no/such/console');
  } finally {
    rmSync(consoleFile, { force: true });
  }
});
