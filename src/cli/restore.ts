// `homepost restore FILE [--passphrase-file F]` and `homepost restore --discard-previous`: a
// backup made by `homepost backup` back into the data folder (src/backup/restore.ts says how).
// The daemon must be stopped first: it holds the store open.
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { UsageError } from '../config/options.ts';
import { connectDaemon } from '../control/client.ts';
import { useDataDir } from '../runtime/sea.ts';
import { dataDirFrom } from './args.ts';
import { runAsOwnerOf } from './owner.ts';
import { EXIT } from './run.ts';
import { type LocalArgs, runLocal } from './local-args.ts';

export const RESTORE_USAGE = `usage: homepost restore FILE [--passphrase-file F] [--data DIR] [--json]
       homepost restore --discard-previous [--data DIR]

Restores a backup made by homepost backup: checks all of it (passphrase, checksums) before it
writes anything, unpacks it into the data folder, checks the restored store, and only then puts
it in place of the current one. The current store and certificates are kept in the data folder's
previous-STAMP/ folder until homepost restore --discard-previous removes them. Stop homepost
first (systemctl stop homepost).`;

interface RestoreArgs {
  file?: string;
  passphraseFile?: string;
  data?: string;
  discard: boolean;
  json: boolean;
}

function check(a: LocalArgs): RestoreArgs {
  const discard = a.flags.has('--discard-previous');
  if (discard === (a.file !== undefined)) throw new UsageError('give either a backup FILE or --discard-previous');
  return { file: a.file, passphraseFile: a.values.get('--passphrase-file'), data: a.values.get('--data'), discard, json: a.flags.has('--json') };
}

export function restoreCommand(argv: string[]): Promise<number> {
  return runLocal(argv, { usage: RESTORE_USAGE, values: ['--passphrase-file', '--data'], flags: ['--discard-previous', '--json'] }, check, restore);
}

async function restore(args: RestoreArgs): Promise<number> {
  const dataDir = dataDirFrom(args.data, process.env);
  const fail = (message: string, code: number = EXIT.failure) => {
    process.stderr.write(`homepost: ${message}\n`);
    return code;
  };
  // The backup and the passphrase are read as the caller (a root-owned USB mount, say); the rest
  // runs as the data folder's owner, so that what it writes stays the daemon's.
  let fd = -1;
  let passphrase: string | undefined;
  try {
    if (args.file !== undefined) fd = openSync(args.file, 'r');
    if (args.passphraseFile !== undefined) passphrase = readFileSync(args.passphraseFile, 'utf8').replace(/\r?\n$/, '');
  } catch (e) {
    return fail(`cannot read ${(e as NodeJS.ErrnoException).path ?? args.file}: ${(e as Error).message}`, EXIT.usage);
  }
  runAsOwnerOf(dataDir);
  const daemon = await connectDaemon(dataDir);
  if (daemon) {
    daemon.close();
    return fail(`homepost is running on ${dataDir}: stop it first (systemctl stop homepost)`, EXIT.failure);
  }
  useDataDir(dataDir);
  const { BackupError, restoreBackup } = await import('../backup/restore.ts');
  const { previousFolders } = await import('../backup/folder.ts');
  const { SealedError } = await import('../backup/sealed.ts');
  if (args.discard) {
    const folders = previousFolders(dataDir);
    for (const f of folders) rmSync(f, { recursive: true, force: true });
    process.stdout.write(args.json ? `${JSON.stringify({ removed: folders })}\n` : folders.length ? `removed ${folders.join(', ')}\n` : 'nothing to remove\n');
    return EXIT.ok;
  }
  try {
    const r = await restoreBackup(dataDir, fd, passphrase, (line) => process.stderr.write(`homepost: ${line}\n`));
    process.stdout.write(
      args.json
        ? `${JSON.stringify(r, null, 2)}\n`
        : `restored the backup of ${r.manifest.created} (homepost ${r.manifest.homepost}): ${r.accounts} accounts, ${r.messages} messages\n` +
            `the previous store and certificates are in ${r.previous} until homepost restore --discard-previous\n`,
    );
    return EXIT.ok;
  } catch (e) {
    if (e instanceof BackupError || e instanceof SealedError) return fail(e.message);
    throw e;
  } finally {
    closeSync(fd);
  }
}
