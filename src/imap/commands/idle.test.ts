// IDLE: changes committed by others arrive while idling; DONE ends it; the autologout timer.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loggedIn, message, ok, RawClient, startImapServer, type ImapTestServer } from '../../../test/imap/support.ts';

describe('IDLE', () => {
  let s: ImapTestServer;
  before(async () => {
    s = await startImapServer({ idleTimeoutMs: 2500, preAuthTimeoutMs: 1000 });
    await s.deliver(message(1));
    await s.deliver(message(2));
  });
  after(() => s.close());

  test('EXISTS, FETCH FLAGS and EXPUNGE arrive during IDLE', async () => {
    const c = await loggedIn(s);
    const other = await loggedIn(s);
    await ok(c, 'SELECT INBOX');
    await ok(other, 'SELECT INBOX');
    c.write('I1 IDLE\r\n');
    assert.equal(await c.line(), '+ idling');
    await s.deliver(message(3));
    assert.equal(await c.line(), '* 3 EXISTS');
    assert.equal(await c.line(), '* 3 RECENT');
    await ok(other, 'STORE 1 +FLAGS (\\Deleted)');
    assert.equal(await c.line(), '* 1 FETCH (FLAGS (\\Deleted \\Recent))');
    await ok(other, 'EXPUNGE');
    assert.equal(await c.line(), '* 1 EXPUNGE');
    c.write('DONE\r\n');
    assert.equal(await c.line(), 'I1 OK IDLE completed');
    c.close();
    other.close();
  });

  test('anything but DONE ends IDLE with BAD; IDLE works in the authenticated state', async () => {
    const c = await loggedIn(s);
    c.write('I1 IDLE\r\n');
    await c.line();
    c.write('NOOP\r\n');
    assert.match(await c.line(), /^I1 BAD Expected DONE/);
    c.close();
  });

  test('an IDLE lasts until the autologout timeout (30 minutes in production, scaled here)', async () => {
    const pre = await RawClient.connect(s.port);
    await pre.line();
    const c = await loggedIn(s);
    c.write('I1 IDLE\r\n');
    await c.line();
    // The unauthenticated connection is cut at 1 s; the idling one is still there after it...
    assert.match(await pre.line(3000), /^\* BYE Autologout/);
    await sleep(200);
    assert.equal(c.closed, false);
    // ...and logged out once 2.5 s pass without a byte either way.
    assert.match(await c.line(3000), /^\* BYE Autologout/);
    await sleep(100);
    assert.ok(c.closed && pre.closed);
  });
});
