// Mutated commands replayed in both states over a socket (mox's fuzz_test.go pattern, bounded
// rounds): every input gets a reply, never an internal error, and the session goes on. The command
// lines and their mutations are those of the in-memory target (test/fuzz/pop3.ts), which runs
// many more of them and checks the time each family of hostile input takes.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { COMMAND_SEEDS, mutateLine } from '../fuzz/pop3.ts';
import { prng } from '../support/prng.ts';
import { LineClient, pop3Fixture, type Pop3Fixture } from './helpers.ts';

// Commands that end the session or change the connection are left out of the mutations, and so
// is a plain CAPA, the marker that keeps input and replies in step.
const SKIP = /^(QUIT|STLS|AUTH|PASS|APOP)\b|^CAPA$/i;
const ROUNDS = 300;

let f: Pop3Fixture;
before(async () => {
  f = await pop3Fixture();
  for (let i = 1; i <= 3; i++) await f.deliver(`Subject: ${i}\r\n\r\n.body ${i}\r\n`);
});
after(() => f.close());

for (const state of ['authorization', 'transaction'] as const) {
  it(`answers ${ROUNDS} mutated commands in the ${state.toUpperCase()} state`, async () => {
    const rand = prng(state === 'authorization' ? 1 : 2);
    const c = await LineClient.connect(f.port);
    await c.line();
    if (state === 'transaction') {
      await c.command(`USER ${f.user}`);
      assert.match((await c.command(`PASS ${f.password}`))!, /^\+OK/);
    }
    for (let round = 0; round < ROUNDS; round++) {
      const input = mutateLine(COMMAND_SEEDS[Math.floor(rand() * COMMAND_SEEDS.length)]!, rand).toString('latin1');
      // As the server reads the keyword: UTF-8, upper-cased ("quıt" is QUIT to it).
      if (
        SKIP.test(
          Buffer.from(input, 'latin1')
            .toString('utf8')
            .toUpperCase()
            .replace(/^[\s\0]+/, ''),
        )
      )
        continue;
      // The input, then CAPA as a marker: read up to the marker's last line.
      c.write(Buffer.concat([Buffer.from(input, 'latin1'), Buffer.from('\r\nCAPA\r\n')]));
      const first = await c.line();
      assert.ok(first !== null, `connection closed after ${JSON.stringify(input)}`);
      assert.match(first, /^(\+OK|-ERR|\+ )/, JSON.stringify(input));
      assert.ok(!first.includes('internal error'), JSON.stringify(input));
      const seen: string[] = [first];
      while (!(seen.at(-2) === 'IMPLEMENTATION homepost' && seen.at(-1) === '.')) {
        const l = await c.line();
        assert.ok(l !== null, `connection closed after ${JSON.stringify(input)}`);
        seen.push(l);
      }
    }
    assert.equal(await c.command('RSET'), state === 'transaction' ? '+OK maildrop has 3 messages' : '-ERR RSET is not valid in the AUTHORIZATION state');
    c.close();
  });
}
