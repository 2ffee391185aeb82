// Mutated commands replayed in both states (mox's fuzz_test.go pattern, bounded rounds): every
// input gets a reply, never an internal error, and the session goes on.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { LineClient, pop3Fixture, type Pop3Fixture } from './helpers.ts';

const SEEDS = ['CAPA', 'STAT', 'LIST', 'LIST 1', 'UIDL 2', 'RETR 1', 'TOP 1 3', 'DELE 2', 'RSET', 'NOOP', 'UTF8', 'USER x', 'PASS x', 'APOP x 0123456789abcdef0123456789abcdef', 'AUTH PLAIN AGEAYg=='];
// Commands that end the session or change the connection are left out of the mutations, and so
// is a plain CAPA, the marker that keeps input and replies in step.
const SKIP = /^(QUIT|STLS|AUTH|PASS|APOP)\b|^CAPA$/i;
const ROUNDS = 300;

// A small deterministic generator, so a failure can be replayed.
function prng(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) >>> 0) / 2 ** 32);
}

function mutate(rand: () => number, seed: string): string {
  const chars = [...seed];
  const ops = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < ops; i++) {
    const at = Math.floor(rand() * (chars.length + 1));
    const pick = rand();
    const c = String.fromCharCode(Math.floor(rand() * 256));
    if (pick < 0.3) chars.splice(at, 1);
    else if (pick < 0.6) chars.splice(at, 0, c);
    else if (pick < 0.8) chars.splice(at, 0, ' ', String(Math.floor(rand() * 1e6) - 1000));
    else chars.splice(at, 1, ['.', '*', '\0', '\r', '9999999999'][Math.floor(rand() * 5)]);
  }
  return chars.join('').replace(/\n/g, '');
}

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
      const input = mutate(rand, SEEDS[Math.floor(rand() * SEEDS.length)]);
      if (SKIP.test(input.replace(/^[\s\0]+/, ''))) continue;
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
