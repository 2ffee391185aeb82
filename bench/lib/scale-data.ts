// The data of `make bench-imap-scale`, built once per set of generator parameters and kept under
// .cache/bench-imap-scale/: a homepost data folder (written offline through src/store, as delivery
// would; keyed on the store's and the MIME parser's sources too, since they define what is stored)
// and a maildir as Dovecot's LDA writes one (LF line ends, files in cur/ named with their S= and W=
// sizes, a dovecot-uidlist giving UIDs 1..n), so that Dovecot never rescans. Both hold the same
// messages (bench/lib/scale-corpus.ts) with the same INTERNALDATEs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { hashNewPassword } from '../../src/auth/password.ts';
import { Store } from '../../src/store/index.ts';
import { root } from './homepost.ts';
import { CORPUS_VERSION, messages } from './scale-corpus.ts';

export const DOMAIN = 'example.test';
// The account measured, and the one the NOOP observer logs in to (its own, so that its logins
// warm no cache the measured account's POP3 login could use).
export const BENCH = { user: 'bench', address: `bench@${DOMAIN}`, password: 'bench password 1' };
export const OBSERVER = { user: 'observer', address: `observer@${DOMAIN}`, password: 'observer password 1' };

const CACHE = path.join(root, '.cache', 'bench-imap-scale');
const BATCH = 64;

function sourcesHash(dirs: string[]): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) h.update(p).update(readFileSync(p));
    }
  };
  for (const d of dirs) walk(path.join(root, d));
  return h.digest('hex');
}

const key = (parts: unknown) => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 12);

// The folder `name` under the cache, made by `build` into a temporary folder first (an interrupted
// build leaves nothing that looks finished).
async function cached(name: string, build: (dir: string) => Promise<void>): Promise<{ dir: string; built: boolean }> {
  const dir = path.join(CACHE, name);
  if (existsSync(dir)) return { dir, built: false };
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await build(tmp);
  renameSync(tmp, dir);
  return { dir, built: true };
}

// A homepost data folder with BENCH's INBOX filled and the OBSERVER account.
export async function homepostData(count: number, seed: number): Promise<{ dir: string; built: boolean }> {
  return cached(`homepost-${count}-${key([CORPUS_VERSION, count, seed, sourcesHash(['src/store', 'src/mime'])])}`, async (dir) => {
    const store = await Store.open(dir);
    try {
      await store.domains.add(DOMAIN);
      const { id } = await store.accounts.create({ address: BENCH.address, passwordHash: await hashNewPassword(BENCH.password) });
      await store.accounts.create({ address: OBSERVER.address, passwordHash: await hashNewPassword(OBSERVER.password) });
      let batch: Promise<unknown>[] = [];
      for (const m of messages(count, seed, BENCH.address)) {
        batch.push(store.messages.deliver({ raw: m.raw, targets: [{ accountId: id }], internalDate: m.internalDate }));
        if (batch.length === BATCH) {
          await Promise.all(batch);
          batch = [];
        }
      }
      await Promise.all(batch);
      // The INBOX's index, stored at close, and its header cache (src/store/header-cache.ts), as a
      // first client's FETCH ENVELOPE fills it: what a server that has served the mailbox leaves
      // behind, as Dovecot's index and cache files are built once by a first session
      // (imap-scale.ts indexMaildir).
      const inbox = store.mailboxes.get(id, 'INBOX')!.id;
      await store.messages.indexReady(inbox);
      const summaries = store.messages.summaries(inbox);
      for (const uid of store.messages.index(inbox)!.uids()) summaries.get(uid, () => store.messages.get(inbox, uid));
      summaries.close();
    } finally {
      await store.close();
    }
  });
}

// BENCH's Maildir (cur/, new/, tmp/, dovecot-uidlist) for Dovecot.
export async function maildirData(count: number, seed: number): Promise<{ dir: string; built: boolean }> {
  return cached(`maildir-${count}-${key([CORPUS_VERSION, count, seed])}`, async (dir) => {
    for (const d of ['cur', 'new', 'tmp']) mkdirSync(path.join(dir, d));
    const uidlist = [`3 V1700000000 N${count + 1} G${createHash('md5').update(dir).digest('hex')}`];
    let uid = 0;
    for (const m of messages(count, seed, BENCH.address)) {
      uid++;
      const lf = Buffer.from(m.raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
      const base = `${1700000000 + uid}.M${uid}P1.bench,S=${lf.length},W=${m.raw.length}`;
      const file = path.join(dir, 'cur', `${base}:2,`);
      writeFileSync(file, lf);
      utimesSync(file, m.internalDate / 1000, m.internalDate / 1000);
      uidlist.push(`${uid} :${base}`);
    }
    writeFileSync(path.join(dir, 'dovecot-uidlist'), `${uidlist.join('\n')}\n`);
  });
}
