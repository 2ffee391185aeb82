import assert from 'node:assert/strict';
import { it } from 'node:test';
import { COMMANDS } from './index.ts';

// RFC 1939 9 (with RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH, RFC 6856 UTF8): the states in
// which each command is valid. QUIT in TRANSACTION is what enters UPDATE.
const RFC_STATES: Record<string, string[]> = {
  USER: ['authorization'],
  PASS: ['authorization'],
  APOP: ['authorization'],
  AUTH: ['authorization'],
  STLS: ['authorization'],
  UTF8: ['authorization'],
  CAPA: ['authorization', 'transaction'],
  QUIT: ['authorization', 'transaction'],
  STAT: ['transaction'],
  LIST: ['transaction'],
  RETR: ['transaction'],
  DELE: ['transaction'],
  NOOP: ['transaction'],
  RSET: ['transaction'],
  TOP: ['transaction'],
  UIDL: ['transaction'],
};

it('offers exactly the commands of RFC 1939 and the extensions, each in its states', () => {
  assert.deepEqual([...COMMANDS.keys()].sort(), Object.keys(RFC_STATES).sort());
  for (const [name, states] of Object.entries(RFC_STATES)) {
    assert.deepEqual([...COMMANDS.get(name)!.states].sort(), states.sort(), name);
  }
});

it('offers nothing in the UPDATE state', () => {
  for (const c of COMMANDS.values()) assert.ok(!c.states.includes('update'), c.name);
});
