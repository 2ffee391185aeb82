// COMPRESS=DEFLATE (RFC 4978) to the end of the connection: the last responses, LOGOUT's BYE and
// tagged OK and the BYE of a server shutdown, are compressed, flushed and reach the client before
// the socket ends (mbsync reported "unexpected EOF" when they were lost).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loggedIn, ok, startImapServer, type RawClient } from './support.ts';

async function compressed(c: RawClient): Promise<void> {
  const r = await c.command('COMPRESS DEFLATE');
  assert.match(r.tagged, /^\S+ OK/);
  c.startDeflate();
  // The first compressed exchange proves both directions work before the end is tested.
  await ok(c, 'NOOP');
}

test('LOGOUT under COMPRESS=DEFLATE: the BYE and the tagged OK arrive', async () => {
  const s = await startImapServer();
  try {
    const c = await loggedIn(s);
    await compressed(c);
    const r = await c.command('LOGOUT');
    assert.deepEqual(
      r.untagged.map((l) => l.split(' ')[1]),
      ['BYE'],
    );
    assert.match(r.tagged, /^\S+ OK LOGOUT/);
    c.close();
  } finally {
    await s.close();
  }
});

test('server shutdown under COMPRESS=DEFLATE: the BYE arrives', async () => {
  const s = await startImapServer();
  let c: RawClient | null = null;
  try {
    c = await loggedIn(s);
    await compressed(c);
    await ok(c, 'SELECT INBOX');
  } finally {
    await s.close();
  }
  assert.match(await c.line(), /^\* BYE /);
  c.close();
});
