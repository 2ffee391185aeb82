// `node bench/mailbox-index.ts DIR`: what SELECT, UID FETCH 1:* FLAGS and a POP3 login cost the
// store on a 50,000-message INBOX, the record walk they did before the mailbox index (issue 16)
// against the index, cold (store reopened, page cache dropped: run as root) and warm. The index is
// built from the records, then read as stored at the previous close, then caught up over 100
// deliveries. DIR/pristine keeps the store between runs (made on the first); each run starts from
// a copy of it.
import { cpSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import { Store } from '../src/store/index.ts';
import { Maildrop } from '../src/pop3/maildrop.ts';

const base = process.argv[2] ?? '/tmp/homepost-bench-index';
const pristine = `${base}/pristine`;
const dir = `${base}/run`;
const COUNT = 50_000;
const pad = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n'.repeat(60);

async function build(): Promise<void> {
  const store = await Store.open(pristine);
  await store.domains.add('example.test');
  const account = await store.accounts.create({ address: 'big@example.test', passwordHash: '$bench$' });
  const inbox = store.mailboxes.get(account.id, 'INBOX')!;
  for (let i = 0; i < COUNT; i += 500) {
    const batch = [];
    for (let n = i; n < i + 500; n++) {
      const raw = Buffer.from(`From: a${n % 97}@example.org\r\nSubject: message ${n}\r\nMessage-ID: <${n}@x>\r\n\r\n${n}\r\n${pad}`);
      batch.push(store.messages.append({ mailboxId: inbox.id, raw, flags: n % 5 ? ['\\Seen'] : n % 7 ? [] : ['$Work'] }));
    }
    await Promise.all(batch);
  }
  await store.close();
}

// The page cache dropped, so that "cold" reads the disk as after a restart.
function dropCaches(): void {
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '3');
  } catch {
    console.log('(not root: cold runs read from the page cache)');
  }
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

// What select.ts did before: every record decoded, keywords and the first unseen found by a scan.
function selectByRecords(store: Store, mailboxId: number): number {
  const records = store.messages.list(mailboxId);
  const keywords = new Set<string>();
  let firstUnseen = 0;
  records.forEach((r, i) => {
    for (const f of r.flags) if (!f.startsWith('\\')) keywords.add(f);
    if (!firstUnseen && !r.flags.includes('\\Seen')) firstUnseen = i + 1;
  });
  return records.map((r) => r.uid).length + keywords.size + firstUnseen;
}

function selectByIndex(store: Store, mailboxId: number): number {
  const mb = store.mailboxes.getById(mailboxId)!;
  const index = store.messages.index(mailboxId)!;
  let firstUnseen = 0;
  while (firstUnseen < index.length && index.seen(firstUnseen)) firstUnseen++;
  return index.uids().length + mb.keywords.length + firstUnseen;
}

// UID FETCH 1:* FLAGS: a get per UID before, the index now.
function flagsByRecords(store: Store, mailboxId: number, uids: number[]): number {
  let n = 0;
  for (const u of uids) n += store.messages.get(mailboxId, u)!.flags.length;
  return n;
}

function flagsByIndex(store: Store, mailboxId: number, uids: number[]): number {
  const index = store.messages.index(mailboxId)!;
  let n = 0;
  for (const u of uids) n += index.flags(index.indexOf(u)).length;
  return n;
}

async function deliver100(store: Store, mailboxId: number): Promise<void> {
  for (let n = 0; n < 100; n++) await store.messages.append({ mailboxId, raw: Buffer.from(`Subject: late ${n}\r\n\r\n${pad}`) });
}

if (!existsSync(`${pristine}/store.mdb`)) await build();
rmSync(dir, { recursive: true, force: true });
cpSync(pristine, dir, { recursive: true });
const rows: string[][] = [];
for (const [name, run, after] of [
  ['SELECT, records', selectByRecords],
  ['SELECT, index built from the records', selectByIndex],
  ['SELECT, index as stored at close', selectByIndex, deliver100],
  ['SELECT, stored index + 100 deliveries', selectByIndex],
  [
    'UID FETCH 1:* FLAGS, records',
    (s: Store, id: number) =>
      flagsByRecords(
        s,
        id,
        s.messages.list(id).map((m) => m.uid),
      ),
  ],
  ['UID FETCH 1:* FLAGS, index', (s: Store, id: number) => flagsByIndex(s, id, s.messages.index(id)!.uids())],
  ['POP3 login + STAT, index', async (s: Store) => (await Maildrop.open(s, s.accounts.get('big@example.test')!.id)).stat().count],
] as const) {
  dropCaches();
  const opened = process.hrtime.bigint();
  const store = await Store.open(dir);
  const openMs = ms(opened);
  const inbox = store.mailboxes.get(store.accounts.get('big@example.test')!.id, 'INBOX')!.id;
  let start = process.hrtime.bigint();
  await run(store, inbox);
  const cold = ms(start);
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) {
    start = process.hrtime.bigint();
    await run(store, inbox);
    warm.push(ms(start));
  }
  warm.sort((a, b) => a - b);
  rows.push([name, openMs.toFixed(0), cold.toFixed(1), warm[2]!.toFixed(2)]);
  await after?.(store, inbox);
  await store.close();
}
console.log(['step', 'open ms', 'cold ms', 'warm ms (median of 5)'].join(' | '));
for (const r of rows) console.log(r.join(' | '));
