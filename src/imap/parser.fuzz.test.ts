// Bounded fuzzing (after mox's imapserver/fuzz_test.go), at two levels over one
// generator (test/fuzz/imap.ts): first the parser alone, many cases and a linearity check per
// hostile family (test/support/fuzz.ts); then valid commands from the seed corpus mutated and each
// mutant replayed in every session state of a real server. The session must always answer the
// command's tag, and at the end the server still works and the store is consistent. The
// generators are seeded: a failure names the seed and the round to replay.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AuthThrottle } from '../auth/throttle.ts';
import { prng } from '../../test/support/prng.ts';
import { fuzzTests } from '../../test/support/fuzz.ts';
import { COMMAND_SEEDS, frame, imapTarget, mutateCommand } from '../../test/fuzz/imap.ts';
import { message, RawClient, startImapServer, type ImapTestServer } from '../../test/imap/support.ts';

fuzzTests(imapTarget, { cases: 20000, seed: 20261126 });

type State = 'not-authenticated' | 'authenticated' | 'selected';

let s: ImapTestServer;
before(async () => {
  s = await startImapServer({ maxBadCommands: 1_000_000 });
  // Mutated LOGINs fail by the thousand; the shared throttle would (rightly) slow them down to
  // seconds each. Here it only counts.
  Object.assign(s.context.logins.throttle, new AuthThrottle({ softLimit: 1e9, lockLimitAddress: 1e9, lockLimitAccount: 1e9 }));
  for (let i = 1; i <= 4; i++)
    await s.deliver(
      message(
        i,
        'Content-Type: multipart/mixed; boundary=b\r\n',
        `--b\r\n\r\npart ${i}\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@y\r\n\r\ninner\r\n--b--\r\n`,
      ),
    );
});
after(() => s.close());

async function connect(state: State): Promise<RawClient> {
  const c = await RawClient.connect(s.port);
  await c.line();
  if (state === 'not-authenticated') return c;
  await c.login(s.user, s.password);
  if (state === 'selected') await c.command('SELECT INBOX');
  return c;
}

// Sends one command and waits for its tagged answer, answering continuation requests the way a
// client that gave up would (DONE for IDLE, "*" for AUTHENTICATE).
async function exchange(c: RawClient, tag: string, bytes: Buffer): Promise<string> {
  c.write(bytes);
  for (;;) {
    const l = await c.line(5000);
    if (l.startsWith(`${tag} `)) return l;
    if (l === '+ idling') c.write('DONE\r\n');
    else if (l === '+ ') c.write('*\r\n');
    else if (l.startsWith('* BYE')) return l;
  }
}

test('mutated commands in every state are always answered', async () => {
  const seed = Number(process.env.IMAP_FUZZ_SEED ?? 20261126);
  const rounds = Number(process.env.IMAP_FUZZ_ROUNDS ?? 250);
  const r = prng(seed);
  const clients = new Map<State, RawClient>();
  for (const st of ['not-authenticated', 'authenticated', 'selected'] as State[]) clients.set(st, await connect(st));
  let answered = 0;
  for (let round = 0; round < rounds; round++) {
    const body = mutateCommand(COMMAND_SEEDS[Math.floor(r() * COMMAND_SEEDS.length)]!, r);
    for (const state of clients.keys()) {
      let c = clients.get(state)!;
      if (c.closed) {
        c = await connect(state);
        clients.set(state, c);
      }
      // Put the session back in its state: mutants may select, unselect or log in.
      if (state === 'selected') await c.command('SELECT INBOX');
      if (state === 'authenticated') await c.command('UNSELECT');
      const tag = `F${round}`;
      const bytes = frame(tag, body, r);
      const reply = await exchange(c, tag, bytes).catch((e: Error) => {
        throw new Error(`seed ${seed} round ${round} state ${state}: ${JSON.stringify(bytes.toString('latin1'))}: ${e.message}`);
      });
      assert.match(reply, new RegExp(`^(${tag} (OK|NO|BAD)|\\* BYE)`));
      answered++;
    }
  }
  for (const c of clients.values()) c.close();
  assert.equal(answered, rounds * 3);
  // The server is still fine (mutants may have moved every message away: UID FETCH is safe).
  const c = await connect('selected');
  assert.match((await c.command('UID FETCH 1:* (UID FLAGS BODYSTRUCTURE)')).tagged, /OK/);
  c.close();
});
