// The mailstore: the one typed API every protocol, the CLI and the setup page use (docs/store.md).
import { mkdirSync } from 'node:fs';
import { silentLogger, type Logger } from '../log/log.ts';
import { Accounts } from './accounts.ts';
import { Aliases } from './aliases.ts';
import { MIME_FORMAT_VERSION } from '../mime/types.ts';
import { Bodies, PARSED_SINCE } from './bodies.ts';
import { ChangeBus, type ChangeListener } from './changes.ts';
import { checkConsistency } from './consistency.ts';
import { StoreContext } from './context.ts';
import { Dkim } from './dkim.ts';
import { Domains } from './domains.ts';
import { Greylist } from './greylist.ts';
import { JunkData } from './junk.ts';
import { Mailboxes } from './mailboxes.ts';
import { Messages } from './messages.ts';
import { migrate } from './migrate.ts';
import { openEnv, STORE_FORMAT } from './open.ts';
import { Queue } from './queue.ts';
import { Reputation } from './reputation.ts';
import { Settings } from './settings.ts';

export interface OpenOptions {
  beforeMigration?: (from: number, to: number, snapshot: (file: string) => Promise<void>) => Promise<void>;
}

export class Store {
  readonly domains: Domains;
  readonly accounts: Accounts;
  readonly aliases: Aliases;
  readonly mailboxes: Mailboxes;
  readonly messages: Messages;
  readonly bodies: Bodies;
  readonly settings: Settings;
  readonly queue: Queue;
  readonly dkim: Dkim;
  readonly junk: JunkData;
  readonly reputation: Reputation;
  readonly greylist: Greylist;
  readonly file: string;
  private ctx: StoreContext;

  private constructor(ctx: StoreContext, file: string) {
    this.ctx = ctx;
    this.file = file;
    this.bodies = new Bodies(ctx);
    this.mailboxes = new Mailboxes(ctx, this.bodies);
    this.domains = new Domains(ctx);
    this.accounts = new Accounts(ctx, this.mailboxes);
    this.aliases = new Aliases(ctx);
    this.messages = new Messages(ctx, this.bodies, this.mailboxes);
    this.settings = new Settings(ctx);
    this.queue = new Queue(ctx, this.bodies);
    this.dkim = new Dkim(ctx);
    this.junk = new JunkData(ctx);
    this.reputation = new Reputation(ctx);
    this.greylist = new Greylist(ctx);
  }

  // Opens (creating if needed) the store in `dir`. `beforeMigration` runs before a store of an
  // older format is migrated, with a way to copy it as it is (the daemon and the CLI back it up:
  // src/backup/migration.ts); when it fails, the store is not opened.
  static async open(dir: string, log: Logger = silentLogger, opts: OpenOptions = {}): Promise<Store> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { env, dbs, file } = openEnv(dir);
    const bus = new ChangeBus((e) => log.error('store.listener_failed', { error: e }));
    const ctx = new StoreContext(env, dbs, bus, log, file);
    const format = dbs.meta.get('format');
    if (format === undefined) {
      // A new store: every body it will hold is parsed by this parser.
      await ctx.write(() => {
        dbs.meta.putSync('format', STORE_FORMAT);
        dbs.meta.putSync(PARSED_SINCE, MIME_FORMAT_VERSION);
      });
    } else if (format > STORE_FORMAT) {
      await env.close();
      throw new Error(
        `${file} has store format ${format}; this homepost knows up to ${STORE_FORMAT}: a newer homepost wrote it. Run that one, or restore a backup this one made (homepost restore)`,
      );
    } else {
      if (format < STORE_FORMAT && opts.beforeMigration) {
        try {
          await opts.beforeMigration(format, STORE_FORMAT, (file) => env.backup(file, true));
        } catch (e) {
          await env.close();
          throw e;
        }
      }
      await migrate(ctx, format);
    }
    // A full disk must not keep the store from opening: the reserve is topped up after later commits.
    await ctx.reserve.maintain(ctx).catch((e: unknown) => log.warn('store.reserve_failed', { error: e }));
    const store = new Store(ctx, file);
    // References released before a crash or a close are taken off their bodies now.
    if (dbs.released.getCount() > 0) store.bodies.sweepSoon();
    return store;
  }

  // Called after each commit with the changes of that account ('*': of every account).
  onChange(accountId: number | '*', listener: ChangeListener): () => void {
    return this.ctx.bus.subscribe(accountId, listener);
  }

  checkConsistency(): string[] {
    return checkConsistency(this.ctx.dbs);
  }

  // The format of the records (open() migrated any older store to it).
  get storeFormat(): number {
    return STORE_FORMAT;
  }

  // A consistent copy of the whole store in `file`, taken while writes go on: LMDB's compacting
  // copy of one read transaction, on lmdb-js's thread (src/backup/create.ts).
  snapshot(file: string): Promise<void> {
    return this.ctx.env.backup(file, true);
  }

  // LMDB's last committed transaction id: tests use it to prove that read paths do not write.
  lastTxnId(): number {
    return (this.ctx.env.getStats() as { lastTxnId: number }).lastTxnId;
  }

  close(): Promise<void> {
    return this.ctx.close();
  }
}
