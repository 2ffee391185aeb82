// Opens the LMDB environment: the only module that imports lmdb (docs/store.md).
import { open, type Database, type RootDatabase } from 'lmdb';
import { arch } from 'node:os';
import path from 'node:path';
import type { AccountRecord, AliasRecord, BodyMetaRecord, DomainRecord, MessageRecord } from './records.ts';
import { MailboxRecords } from './mailbox-records.ts';
import { messagesEncoding } from './record-shapes.ts';
import type { DkimDomainRecord } from './dkim.ts';
import type { StoredHeaderRecord } from './header-records.ts';
import type { GreylistEntry } from './greylist.ts';
import type { DomainHistory } from './reputation.ts';

// Options chosen for SD cards (docs/store.md has the measurements):
// - compression: LZ4 off the main thread; mail text shrinks to about a third, so fewer bytes
//   reach the card and more of the store fits the page cache of a 512 MB device. lmdb-js leaves
//   values under 1,000 bytes as they are; in `bodies` from 100 bytes on, so that a body's parsed
//   form and header record take less of the leaf pages they share (BODIES_COMPRESSION).
// - pageSize 4096: matches the flash translation layer's and ext4's block size, so a page write
//   is one block write, not a read-modify-write of a larger page.
// - overlappingSync false: the commit is flushed before its promise resolves, so a write that
//   resolved is on disk. lmdb-js's default (true) acknowledges before the flush ends and relies on
//   the boot id to pick a safe snapshot after a crash; we acknowledge mail, so we wait.
// - never noSync / noMetaSync: a power cut must not lose acknowledged mail or corrupt the file.
// - noReadAhead: a page fault reads one page, not the 128 KB around it. Faster scans without it, but
//   a store larger than the device's RAM then thrashes (FETCH ENVELOPE of 50,000 messages in 256 MB:
//   251 s with read-around, 2.7 s without; docs/store.md).
// - mapSize: the whole address range the file may grow into, mapped once. Left to lmdb-js, the map
//   starts at 128 KB and is replaced by a larger one as the file grows, and the process ended up
//   with store.mdb mapped twice (779 MB and 1.56 GB, issue 16). The map is address space, not
//   memory: pages count in RSS only once read. 16 GB is a thirty-second of what a 64-bit ARM
//   kernel with 39-bit virtual addresses gives a process (512 GB), and the largest map the arm64
//   executable's tests can run under qemu-user (32 GB crashes the emulator; a Pi does not care).
//   A store that outgrows it gets a larger map from lmdb-js, as before. A 32-bit process keeps
//   lmdb-js's growing maps (its address space is 3 GB in all).
// Writes issued in the same event turn share one commit (lmdb-js's eventTurnBatching), which is
// what makes 16 concurrent deliveries cost far fewer fsyncs than 16 single ones.
export const MAP_SIZE = arch().endsWith('32') || arch() === 'arm' ? undefined : 16 * 1024 ** 3;
export const LMDB_OPTIONS = {
  compression: true,
  pageSize: 4096,
  overlappingSync: false,
  noSync: false,
  maxDbs: 32,
  noReadAhead: true,
  mapSize: MAP_SIZE,
} as const;

// A value records whether it is compressed, so stores written with lmdb-js's default threshold
// read the same (docs/store.md "Tuned for SD cards" has what it saved).
const BODIES_COMPRESSION = { threshold: 100 };

export const STORE_FILE = 'store.mdb';

// Bumped when records change shape; open() refuses a newer store and migrates an older one.
// 2: MailboxRecord keywords, tombstones, vanishedSince and modifiedModSeq, MessageRecord octets
// (migrate.ts). 3: each body's header record (header-records.ts). 4: the released references
// (bodies.ts) and the header cache, both new databases that start empty; a homepost that knows
// only format 3 would leave released references on their bodies for good, so it must refuse it.
// 5: the header cache keeps each column of a chunk under its own key ([mailbox, chunk, part]); the
// chunks of format 4 are dropped and made again by reads. 6: the mailbox records move from their
// own database into `messages`, each beside its mailbox's messages (mailbox-records.ts). 7: records
// of `messages` are written by the shapes fixed in record-shapes.ts, which a release before it
// cannot read; older records read as they are, so nothing is converted.
export const STORE_FORMAT = 7;

export interface Dbs {
  // "format", "nextAccountId", "nextMailboxId", "lastUidValidity"
  meta: Database<number, string>;
  settings: Database<unknown, string>;
  domains: Database<DomainRecord, string>;
  accounts: Database<AccountRecord, string>; // by address
  accountIds: Database<string, number>; // id -> address
  aliases: Database<AliasRecord, string>;
  mailboxes: MailboxRecords; // by mailbox id, in `messages` beside each mailbox's messages
  mailboxNames: Database<number, [number, string]>; // [accountId, name] -> mailbox id
  subscriptions: Database<true, [number, string]>; // [accountId, name]
  messages: Database<MessageRecord, [number, number]>; // [mailboxId, uid]
  expunged: Database<number, [number, number]>; // [mailboxId, uid] -> modseq of the expunge
  // sha256 + 0x00 -> BodyMetaRecord (references, parsed form); sha256 + 0x01 -> the raw message;
  // sha256 + 0x02 -> its header record (header-records.ts). One database with adjacent keys, so a
  // delivery's records share their leaf and branch pages.
  bodies: Database<BodyMetaRecord | Buffer | StoredHeaderRecord, Buffer>;
  queue: Database<unknown, number>; // outbound queue entries by id
  // sha256 -> references dropped by expunges and mailbox deletions, not yet taken off the body's
  // count (bodies.ts release(), sweep()).
  released: Database<number, Buffer>;
  dkim: Database<DkimDomainRecord, string>; // DKIM keys by domain (dkim.ts)
  indexes: Database<Buffer, number>; // mailbox id -> its index as the store last closed (mailbox-index.ts)
  headerCache: Database<Buffer, [number, number, number]>; // [mailbox id, chunk, part] -> a column of its messages' summaries (header-cache.ts)
  // The junk filter's (junk.ts): account id -> its saved counts; [account id, body key in base64]
  // -> the label the body was trained with. New databases an older homepost never opens.
  junkCounts: Database<Buffer, number>;
  junkLabels: Database<boolean, [number, string]>;
  // [account id, mailbox id] -> the highest UID the kept-mail pass has looked at (src/junk/kept.ts).
  junkKept: Database<number, [number, number]>;
  // account id -> its last junk decisions, opaque here (src/junk/decisions.ts).
  junkDecisions: Database<unknown[], number>;
  // Sender reputation (reputation.ts): [account id, address] -> when the account last sent to it;
  // [account id, domain] -> the domain's history. The greylist (greylist.ts): triplet -> its times.
  junkCorrespondents: Database<number, [number, string]>;
  junkDomains: Database<DomainHistory, [number, string]>;
  greylist: Database<GreylistEntry, string>;
}

export interface OpenedEnv {
  env: RootDatabase;
  dbs: Dbs;
  file: string;
}

export function openEnv(dir: string): OpenedEnv {
  const file = path.join(dir, STORE_FILE);
  const env = open({ path: file, ...LMDB_OPTIONS });
  const db = <V, K extends import('lmdb').Key>(name: string, extra: object = {}) => env.openDB<V, K>({ name, ...extra });
  const binaryKeys = { keyEncoding: 'binary' } as const;
  const messages = db<MessageRecord, [number, number]>('messages', { encoder: messagesEncoding() });
  const dbs: Dbs = {
    mailboxes: new MailboxRecords(messages),
    meta: db('meta'),
    settings: db('settings'),
    domains: db('domains'),
    accounts: db('accounts'),
    accountIds: db('accountIds'),
    aliases: db('aliases'),
    mailboxNames: db('mailboxNames'),
    subscriptions: db('subscriptions'),
    messages,
    expunged: db('expunged'),
    bodies: db('bodies', { ...binaryKeys, compression: BODIES_COMPRESSION }),
    queue: db('queue'),
    released: db('released', binaryKeys),
    dkim: db('dkim'),
    indexes: db('indexes', { encoding: 'binary' }),
    headerCache: db('headerCache', { encoding: 'binary' }),
    junkCounts: db('junkCounts', { encoding: 'binary' }),
    junkLabels: db('junkLabels'),
    junkKept: db('junkKept'),
    junkDecisions: db('junkDecisions'),
    junkCorrespondents: db('junkCorrespondents'),
    junkDomains: db('junkDomains'),
    greylist: db('greylist'),
  };
  return { env, dbs, file };
}
