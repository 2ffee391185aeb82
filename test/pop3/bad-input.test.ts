// Bad input in every state gets -ERR and the session, the process and the store survive it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LineClient, loginWhenFree, pop3Fixture, type Pop3Fixture } from './helpers.ts';

describe('bad input', () => {
  let f: Pop3Fixture;
  before(async () => {
    f = await pop3Fixture();
    await f.deliver('Subject: one\r\n\r\nbody\r\n');
    await f.deliver('Subject: two\r\n\r\nbody\r\n');
  });
  after(() => f.close());

  async function expectAll(c: LineClient, pairs: [string | Buffer, string][]) {
    for (const [input, reply] of pairs) {
      if (typeof input === 'string') c.send(input);
      else c.write(input);
      assert.equal(await c.line(), reply, JSON.stringify(input.toString().slice(0, 60)));
    }
  }

  it('in the AUTHORIZATION state', async () => {
    const c = await LineClient.connect(f.port);
    await c.line();
    await expectAll(c, [
      ['FOO', '-ERR unknown command: FOO'],
      ['', '-ERR empty command'],
      [' USER x', '-ERR empty command'],
      ['RETR 1', '-ERR RETR is not valid in the AUTHORIZATION state'],
      ['STAT', '-ERR STAT is not valid in the AUTHORIZATION state'],
      ['NOOP', '-ERR NOOP is not valid in the AUTHORIZATION state'],
      ['USER', '-ERR expected 1 argument'],
      ['USER a b', '-ERR expected 1 argument'],
      ['PASS', '-ERR USER first'],
      ['CAPA x', '-ERR expected 0 arguments'],
      ['STLS now', '-ERR expected 0 arguments'],
      ['UTF8 x', '-ERR expected 0 arguments'],
      ['X'.repeat(10_000), '-ERR line too long'],
      [Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0d, 0x0a]), '-ERR unknown command: ????'],
      [Buffer.from('\x00\r\n'), '-ERR unknown command: ?'],
      ['AUTH PLAIN', '+ '],
      ['A'.repeat(10_000), '-ERR line too long'],
      [`user ${f.user}`, '+OK send PASS'],
      [`pass ${f.password}`, `+OK ${f.user} has 2 messages`],
    ]);
    c.send('QUIT');
    await c.line();
  });

  it('in the TRANSACTION state', async () => {
    const c = await LineClient.connect(f.port);
    await c.line();
    await expectAll(c, [
      [`USER ${f.user}`, '+OK send PASS'],
      [`PASS ${f.password}`, `+OK ${f.user} has 2 messages`],
      ['USER x', '-ERR USER is not valid in the TRANSACTION state'],
      ['PASS x', '-ERR PASS is not valid in the TRANSACTION state'],
      ['AUTH PLAIN', '-ERR AUTH is not valid in the TRANSACTION state'],
      ['UTF8', '-ERR UTF8 is not valid in the TRANSACTION state'],
      ['STLS', '-ERR STLS is not valid in the TRANSACTION state'],
      ['LIST x', '-ERR not a message number: x'],
      ['LIST 0', '-ERR not a message number: 0'],
      ['LIST -1', '-ERR not a message number: -1'],
      ['LIST 3', '-ERR no such message: 3'],
      ['LIST 99999999999', '-ERR not a message number: 99999999999'],
      ['LIST 1 2', '-ERR expected 0 to 1 arguments'],
      ['RETR', '-ERR expected 1 argument'],
      ['RETR 3', '-ERR no such message: 3'],
      ['TOP 1', '-ERR expected 2 arguments'],
      ['TOP 1 x', '-ERR not a line count: x'],
      ['TOP 1 -1', '-ERR not a line count: -1'],
      ['TOP 3 0', '-ERR no such message: 3'],
      ['DELE', '-ERR expected 1 argument'],
      ['UIDL 1 2', '-ERR expected 0 to 1 arguments'],
      ['STAT 1', '-ERR expected 0 arguments'],
      ['NOOP 1', '-ERR expected 0 arguments'],
      ['RSET 1', '-ERR expected 0 arguments'],
      ['QUIT now', '-ERR expected 0 arguments'],
      ['DELE 1', '+OK message 1 deleted'],
      ['DELE 1', '-ERR message 1 already deleted'],
      ['RETR 1', '-ERR message 1 already deleted'],
      ['LIST 1', '-ERR message 1 already deleted'],
      ['X'.repeat(100_000), '-ERR line too long'],
      ['stat', '+OK 1 22'],
      ['list  2', '+OK 2 22'],
      ['noop', '+OK'],
    ]);
    // Nothing was removed: the session ends without QUIT.
    c.close();
    const d = await loginWhenFree(f);
    assert.equal(await d.command('QUIT'), '+OK bye, 0 deleted');
    assert.equal(f.uids().length, 2);
  });

  it('a line that arrives in pieces, with a bare LF', async () => {
    const c = await LineClient.connect(f.port);
    await c.line();
    for (const piece of ['CA', 'P', 'A\n']) {
      c.write(piece);
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(await c.line(), '+OK capability list follows');
    assert.ok((await c.multiline()).includes('UIDL'));
    c.close();
  });

  it('pipelined commands are answered in order (RFC 2449 6.6)', async () => {
    const c = await LineClient.connect(f.port);
    await c.line();
    c.write(`USER ${f.user}\r\nPASS ${f.password}\r\nSTAT\r\nLIST\r\nUIDL 1\r\nRETR 2\r\nNOOP\r\nQUIT\r\n`);
    assert.equal(await c.line(), '+OK send PASS');
    assert.equal(await c.line(), `+OK ${f.user} has 2 messages`);
    assert.equal(await c.line(), '+OK 2 44');
    assert.equal(await c.line(), '+OK 2 messages');
    assert.deepEqual(await c.multiline(), ['1 22', '2 22']);
    assert.match((await c.line())!, /^\+OK 1 [0-9a-f]{16}$/);
    assert.equal(await c.line(), '+OK 22 octets');
    assert.deepEqual(await c.multiline(), ['Subject: two', '', 'body']);
    assert.equal(await c.line(), '+OK');
    assert.equal(await c.line(), '+OK bye, 0 deleted');
    await c.closed();
  });
});
