// Bounded fuzzing (style.md, after mox's imapserver/fuzz_test.go): valid commands from a seed
// corpus are mutated and each mutant is replayed in every session state. The session must always
// answer the command's tag, and at the end the server still works and the store is consistent.
// The generator is seeded: a failure names the seed and the round to replay.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AuthThrottle } from '../auth/throttle.ts';
import { prng } from '../../test/support/prng.ts';
import { message, RawClient, startImapServer, type ImapTestServer } from '../../test/imap/support.ts';

const SEEDS = [
  'CAPABILITY', 'NOOP', 'ID ("name" "fuzz" "version" "1")', 'ID NIL', 'LOGIN "nobody@example.test" "wrong password"',
  'AUTHENTICATE PLAIN AG5vYm9keQB3cm9uZw==', 'ENABLE CONDSTORE QRESYNC UTF8=ACCEPT IMAP4rev2',
  'SELECT INBOX', 'SELECT INBOX (CONDSTORE)', 'SELECT INBOX (QRESYNC (1 1 1:5 (1:3 1:3)))', 'EXAMINE "Sent"',
  'CREATE "fuzz/a b"', 'CREATE x (USE (\\Junk))', 'DELETE "fuzz/a b"', 'RENAME fuzz fuzz2', 'SUBSCRIBE Archive', 'UNSUBSCRIBE Archive',
  'LIST "" *', 'LIST (SUBSCRIBED RECURSIVEMATCH) "" (% "A*") RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES SIZE))', 'LSUB "" %',
  'NAMESPACE', 'STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE HIGHESTMODSEQ)',
  'APPEND Drafts (\\Draft) "26-Nov-2026 07:00:00 +0000" {20+}', 'APPEND INBOX UTF8 (~{5+}', 'GETQUOTAROOT INBOX', 'GETQUOTA ""',
  'SETQUOTA "" (STORAGE 10)', 'CHECK', 'EXPUNGE', 'UID EXPUNGE 1:2', 'UNSELECT',
  'SEARCH CHARSET UTF-8 OR (FROM alice SUBJECT "test 1") NOT (SEEN LARGER 10) SENTSINCE 1-Jan-2020',
  'UID SEARCH RETURN (MIN MAX COUNT ALL SAVE) UID 1:* BODY "message" HEADER Message-ID "<1@" MODSEQ 1',
  'SEARCH $', 'SEARCH NEW OLD RECENT KEYWORD $x UNKEYWORD y DRAFT UNDRAFT BEFORE "1-Feb-2030" ON 1-Jan-2026',
  'FETCH 1:* (FLAGS UID INTERNALDATE RFC822.SIZE ENVELOPE BODYSTRUCTURE BODY MODSEQ)',
  'FETCH 1 (BODY.PEEK[1.2.HEADER.FIELDS (From "To")]<0.10> BINARY.PEEK[1] BINARY.SIZE[1] BODY[1.MIME] RFC822.HEADER)',
  'UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)', 'FETCH 2 FULL', 'FETCH * BODY[]<5.10>',
  'STORE 1:* +FLAGS.SILENT (\\Seen $Fuzz)', 'UID STORE 2 (UNCHANGEDSINCE 1) -FLAGS (\\Seen)', 'STORE 1 FLAGS \\Flagged \\Draft',
  'COPY 1:2 Archive', 'UID COPY 1 "Trash"', 'MOVE 3 Junk', 'UID MOVE 1:* Trash', 'IDLE', 'UID FETCH $ UID',
];

const SPECIALS = Buffer.from('(){}[]<>"\\*%$ .:,~+-0123456789\0\x7f\xff');

function mutate(r: () => number, seed: string): Buffer {
  let b = Buffer.from(seed, 'utf8');
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const pos = Math.floor(r() * (b.length + 1));
    const op = Math.floor(r() * 6);
    const special = Buffer.from([SPECIALS[Math.floor(r() * SPECIALS.length)]!]);
    if (op === 0 && b.length) b[Math.min(pos, b.length - 1)] = special[0]!;
    else if (op === 1) b = Buffer.concat([b.subarray(0, pos), special, b.subarray(pos)]);
    else if (op === 2) b = Buffer.concat([b.subarray(0, pos), b.subarray(pos + 1 + Math.floor(r() * 5))]);
    else if (op === 3) b = b.subarray(0, pos);
    else if (op === 4) {
      const other = Buffer.from(SEEDS[Math.floor(r() * SEEDS.length)]!);
      b = Buffer.concat([b.subarray(0, pos), other.subarray(Math.floor(r() * other.length))]);
    } else {
      const from = Math.floor(r() * b.length);
      b = Buffer.concat([b.subarray(0, pos), b.subarray(from, from + 8), b.subarray(pos)]);
    }
  }
  // One line per command: CR and LF would start another command with a tag we did not choose.
  return Buffer.from(b.filter((c) => c !== 0x0d && c !== 0x0a));
}

// The bytes to send for a command: a literal announced at the end of the line gets its data.
function frame(tag: string, body: Buffer, r: () => number): Buffer {
  let line = Buffer.concat([Buffer.from(tag + ' '), body]);
  const m = /(~?)\{(\d+)(\+?)\}$/.exec(line.toString('latin1'));
  if (!m) return Buffer.concat([line, Buffer.from('\r\n')]);
  const size = Math.min(Number(m[2]), 64);
  line = Buffer.concat([line.subarray(0, line.length - m[0].length), Buffer.from(`${m[1]}{${size}${m[3]}}\r\n`)]);
  const data = Buffer.from(Array.from({ length: size }, () => 0x20 + Math.floor(r() * 95)));
  return Buffer.concat([line, data, Buffer.from('\r\n')]);
}

type State = 'not-authenticated' | 'authenticated' | 'selected';

let s: ImapTestServer;
before(async () => {
  s = await startImapServer({ maxBadCommands: 1_000_000 });
  // Mutated LOGINs fail by the thousand; the shared throttle would (rightly) slow them down to
  // seconds each. Here it only counts.
  Object.assign(s.context.throttle, new AuthThrottle({ softLimit: 1e9, lockLimitAddress: 1e9, lockLimitAccount: 1e9 }));
  for (let i = 1; i <= 4; i++) await s.deliver(message(i, 'Content-Type: multipart/mixed; boundary=b\r\n', `--b\r\n\r\npart ${i}\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@y\r\n\r\ninner\r\n--b--\r\n`));
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
    if (l.startsWith(tag + ' ')) return l;
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
    const body = mutate(r, SEEDS[Math.floor(r() * SEEDS.length)]!);
    for (const state of clients.keys()) {
      let c = clients.get(state)!;
      if (c.closed) clients.set(state, (c = await connect(state)));
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
