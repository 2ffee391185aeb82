// The command table against the per-state command lists of RFC 9051 6 (and RFC 3501 for LSUB and
// CHECK, plus the extensions), and how dispatch answers what it cannot run.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loggedIn, ok, RawClient, startImapServer, type ImapTestServer } from '../../test/imap/support.ts';
import { commandTable } from './commands/index.ts';

const ANY = ['CAPABILITY', 'NOOP', 'LOGOUT', 'ID'];
const NOT_AUTHENTICATED = ['STARTTLS', 'AUTHENTICATE', 'LOGIN'];
const AUTHENTICATED = [
  'SELECT',
  'EXAMINE',
  'CREATE',
  'DELETE',
  'RENAME',
  'SUBSCRIBE',
  'UNSUBSCRIBE',
  'LIST',
  'LSUB',
  'NAMESPACE',
  'STATUS',
  'APPEND',
  'IDLE',
  'COMPRESS',
  'GETQUOTA',
  'GETQUOTAROOT',
  'SETQUOTA',
];
const SELECTED = [
  'CHECK',
  'CLOSE',
  'UNSELECT',
  'EXPUNGE',
  'SEARCH',
  'FETCH',
  'STORE',
  'COPY',
  'MOVE',
  'UID FETCH',
  'UID STORE',
  'UID COPY',
  'UID MOVE',
  'UID SEARCH',
  'UID EXPUNGE',
  // RFC 5256 3
  'SORT',
  'UID SORT',
  'THREAD',
  'UID THREAD',
];

test('every command is valid in exactly the states RFC 9051 gives it', () => {
  const expected = new Map<string, string[]>();
  for (const n of ANY) expected.set(n, ['not-authenticated', 'authenticated', 'selected']);
  for (const n of NOT_AUTHENTICATED) expected.set(n, ['not-authenticated']);
  for (const n of AUTHENTICATED) expected.set(n, ['authenticated', 'selected']);
  for (const n of SELECTED) expected.set(n, ['selected']);
  // RFC 5161 3.1: ENABLE only before a mailbox is selected.
  expected.set('ENABLE', ['authenticated']);
  assert.deepEqual([...commandTable.keys()].sort(), [...expected.keys()].sort());
  for (const [name, states] of expected) assert.deepEqual([...commandTable.get(name)!.states].sort(), states.sort(), name);
});

describe('dispatch', () => {
  let s: ImapTestServer;
  before(async () => (s = await startImapServer({ maxLine: 1000, maxBadCommands: 5 })));
  after(() => s.close());

  test('unknown commands, wrong states, a missing tag and bad syntax get BAD; the session goes on', async () => {
    const c = await RawClient.connect(s.port);
    await c.line();
    assert.equal((await c.command('FROB')).tagged, 'A1 BAD Unknown command FROB');
    assert.equal((await c.command('SELECT INBOX')).tagged, 'A2 BAD Authenticate first');
    c.write('\r\n');
    assert.match(await c.line(), /^\* BAD /);
    c.write('+x NOOP\r\n');
    assert.match(await c.line(), /^\* BAD /);
    assert.equal((await c.command('NOOP')).tagged, 'A3 OK NOOP completed');
    await ok(c, `LOGIN "${s.user}" "${s.password}"`);
    assert.equal((await c.command('FETCH 1 FLAGS')).tagged, 'A5 BAD No mailbox selected');
    assert.equal((await c.command('LOGIN a b')).tagged, 'A6 BAD LOGIN is not valid in this state');
    assert.match((await c.command('NOOP extra')).tagged, /^A7 BAD/);
    assert.match((await c.command('UID FROB 1')).tagged, /^A8 BAD Unknown command UID FROB/);
    c.close();
  });

  test('a flood of bad commands ends in BYE; a good command resets the count', async () => {
    const c = await loggedIn(s);
    for (let i = 0; i < 4; i++) assert.match((await c.command('BOGUS')).tagged, /BAD/);
    await ok(c, 'NOOP');
    for (let i = 0; i < 4; i++) assert.match((await c.command('BOGUS')).tagged, /BAD/);
    c.write('Z BOGUS\r\n');
    assert.match(await c.line(), /^Z BAD/);
    assert.equal(await c.line(), '* BYE Too many invalid commands');
    await assert.rejects(c.line(1000), /closed/);
  });

  test('a line over the limit ends the session with BYE', async () => {
    const c = await loggedIn(s);
    c.write(`L1 NOOP ${'x'.repeat(2000)}\r\nL2 NOOP\r\n`);
    assert.equal(await c.line(), '* BYE Line too long');
    await assert.rejects(c.line(1000), /closed/);
  });

  test('pipelined commands are answered in order', async () => {
    const c = await loggedIn(s);
    c.write('P1 NOOP\r\nP2 SELECT INBOX\r\nP3 CAPABILITY\r\nP4 LOGOUT\r\n');
    const lines: string[] = [];
    for (;;) {
      const l = await c.line();
      lines.push(l);
      if (l.startsWith('P4 ')) break;
    }
    const tagged = lines.filter((l) => !l.startsWith('* '));
    assert.deepEqual(
      tagged.map((l) => l.split(' ')[0]),
      ['P1', 'P2', 'P3', 'P4'],
    );
    assert.ok(lines.includes('* BYE Logging out'));
  });
});

test('a line over the limit inside IDLE also ends in BYE', async () => {
  const s = await startImapServer({ maxLine: 1000 });
  try {
    const c = await loggedIn(s);
    c.write('I1 IDLE\r\n');
    assert.equal(await c.line(), '+ idling');
    c.write(`${'x'.repeat(3000)}\r\n`);
    assert.equal(await c.line(), '* BYE Line too long');
    await assert.rejects(c.line(1000), /closed/);
  } finally {
    await s.close();
  }
});
