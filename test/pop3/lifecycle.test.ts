// The end of a session other than QUIT: the idle timer (RFC 1939 3), a server shutdown, and
// connection limits. None of them removes anything (RFC 1939 6).
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import net from 'node:net';
import { describe, it } from 'node:test';
import { Store } from '../../src/store/index.ts';
import { LineClient, pop3Fixture } from './helpers.ts';

async function login(port: number, user: string, password: string): Promise<LineClient> {
  const c = await LineClient.connect(port);
  await c.line();
  await c.command(`USER ${user}`);
  assert.match((await c.command(`PASS ${password}`))!, /^\+OK/);
  return c;
}

describe('session ends', () => {
  it('an idle session is logged out without the UPDATE state', async () => {
    const f = await pop3Fixture({ options: { idleTimeoutMs: 1500 } });
    try {
      await f.deliver('Subject: idle\r\n\r\nidle\r\n');
      const c = await login(f.port, f.user, f.password);
      assert.equal(await c.command('DELE 1'), '+OK message 1 deleted');
      assert.equal(await c.line(), '-ERR autologout: idle for too long');
      await c.closed();
      assert.equal(f.uids().length, 1);
      // The maildrop is free again.
      const d = await login(f.port, f.user, f.password);
      assert.equal(await d.command('QUIT'), '+OK bye, 0 deleted');
    } finally {
      await f.close();
    }
  });

  it('a client that stops reading in the middle of RETR is cut off at the idle timeout', async () => {
    const f = await pop3Fixture({ options: { idleTimeoutMs: 1500 } });
    try {
      await f.deliver(`Subject: big\r\n\r\n${(`${'y'.repeat(998)}\r\n`).repeat(20_000)}`);
      await f.deliver('Subject: small\r\n\r\nsmall\r\n');
      // 20 MB asked for, and reading stops once the RETR reply begins: the server's writes stall
      // when the socket buffers are full.
      const stuck = net.connect(f.port, '127.0.0.1');
      stuck.on('error', () => {});
      stuck.write(`USER ${f.user}\r\nPASS ${f.password}\r\nDELE 2\r\nRETR 1\r\n`);
      let seen = '';
      await new Promise<void>((resolve, reject) =>
        stuck.on('data', (b: Buffer) => {
          seen += b.toString('latin1');
          if (seen.includes('-ERR')) reject(new Error(seen));
          if (seen.includes(' octets\r\n')) {
            stuck.pause();
            resolve();
          }
        }),
      );
      // The server ends that session without UPDATE: the maildrop is free again, nothing removed.
      const deadline = Date.now() + 10_000;
      let refused = 0;
      for (;;) {
        const c = await LineClient.connect(f.port);
        await c.line();
        await c.command(`USER ${f.user}`);
        const reply = await c.command(`PASS ${f.password}`);
        if (reply?.startsWith('+OK')) {
          assert.equal(await c.command('QUIT'), '+OK bye, 0 deleted');
          break;
        }
        c.close();
        assert.match(reply!, /IN-USE/);
        refused++;
        assert.ok(Date.now() < deadline, 'the stalled session was not ended');
        await new Promise((r) => setTimeout(r, 100));
      }
      stuck.destroy();
      assert.ok(refused > 0, 'the stalled session held the maildrop for a while');
      assert.equal(f.uids().length, 2);
    } finally {
      await f.close();
    }
  });

  it('a shutdown says goodbye and removes nothing', async () => {
    const f = await pop3Fixture();
    await f.deliver('Subject: shutdown\r\n\r\nbye\r\n');
    const c = await login(f.port, f.user, f.password);
    assert.equal(await c.command('DELE 1'), '+OK message 1 deleted');
    const goodbye = c.line();
    await f.server.stop();
    assert.equal(await goodbye, '-ERR [SYS/TEMP] server shutting down');
    await c.closed();
    const store = await Store.open(f.server.dataDir);
    try {
      assert.equal(store.messages.list(f.inbox).length, 1);
      assert.deepEqual(store.checkConsistency(), []);
    } finally {
      await store.close();
      rmSync(f.server.dataDir, { recursive: true, force: true });
    }
  });

  it('connections over the per-address limit are refused with [SYS/TEMP]', async () => {
    const f = await pop3Fixture({ options: { maxPerAddress: 2 } });
    try {
      const a = await LineClient.connect(f.port);
      const b = await LineClient.connect(f.tlsPort, { tls: true });
      assert.match((await a.line())!, /^\+OK/);
      assert.match((await b.line())!, /^\+OK/);
      const c = await LineClient.connect(f.port);
      assert.equal(await c.line(), '-ERR [SYS/TEMP] too many connections, try again later');
      await c.closed();
      a.close();
      b.close();
    } finally {
      await f.close();
    }
  });
});
