import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heloProblems } from './helo.ts';

test('HELO problems: literal not the client, bare address, no dot, our own name (RFC 5321 4.1.1.1, 4.1.3, 2.3.5)', () => {
  const ours = (n: string) => n === 'mail.example.test' || n === 'example.test';
  const cases: [string, string, string[]][] = [
    ['mx.example.org', '192.0.2.1', []],
    ['MX.Example.Org.', '192.0.2.1', []],
    ['[192.0.2.1]', '192.0.2.1', []],
    ['[192.0.2.1]', '::ffff:192.0.2.1', []],
    ['[IPv6:2001:db8::1]', '2001:db8::1', []],
    ['[192.0.2.2]', '192.0.2.1', ['literal-mismatch']],
    ['[IPv6:2001:db8::2]', '2001:db8::1', ['literal-mismatch']],
    ['[garbage]', '192.0.2.1', ['literal-mismatch']],
    ['192.0.2.1', '192.0.2.1', ['bare-address']],
    ['localhost', '192.0.2.1', ['no-dot']],
    ['mail.example.test', '192.0.2.1', ['ours']],
    ['Example.Test', '192.0.2.1', ['ours']],
  ];
  for (const [helo, client, problems] of cases) assert.deepEqual(heloProblems(helo, client, ours), problems, `${helo} from ${client}`);
});
