// The homepost executable: daemon and CLI in one (docs/architecture.md).
// Nothing imported here may import the store: in the single executable, loading lmdb unpacks its
// native addon into the data folder, which is known only once a command has parsed its options
// (src/runtime/sea.ts). `serve` is imported when it runs; the command groups reach the store only
// through the daemon's socket or src/cli/offline.ts.
import { UsageError } from './config/options.ts';
import { commandGroups } from './api/commands/index.ts';
import { EXIT, EXIT_HELP, runGroup } from './cli/run.ts';
import { VERSION } from './version.ts';

const commands: Record<string, { summary: string; run: (argv: string[]) => Promise<number> }> = {
  serve: { summary: 'run the mail server', run: async (argv) => (await import('./cli/serve.ts')).serveCommand(argv) },
  restore: {
    summary: 'restore a backup (homepost backup) into the data folder; homepost must be stopped',
    run: async (argv) => (await import('./cli/restore.ts')).restoreCommand(argv),
  },
  // Groups the command line reaches (the update group's methods are the daemon's side of this).
  ...Object.fromEntries(
    commandGroups.filter((g) => g.entries.some((e) => e.cli)).map((g) => [g.name, { summary: g.summary, run: (argv: string[]) => runGroup(g, argv) }]),
  ),
  update: {
    summary: 'replace the executable with a signed release; rolled back when the restarted server fails its health check',
    run: async (argv) => (await import('./cli/update.ts')).updateCommand(argv),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  return [
    'usage: homepost <command> [options]',
    '',
    'commands:',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    `  ${'--version'.padEnd(width)}  print the version`,
    '',
    'Each command takes --help. Commands other than serve reach the running daemon through its',
    'control socket in the data folder (--data DIR, env HOMEPOST_DATA, default /var/lib/homepost);',
    'when none runs, they open the data folder themselves.',
    EXIT_HELP,
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === 'version') {
    process.stdout.write(`homepost ${VERSION} (node ${process.version}, ${process.arch})\n`);
    return EXIT.ok;
  }
  if (!name || name === '--help' || name === 'help') {
    (name ? process.stdout : process.stderr).write(`${usage()}\n`);
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(`homepost: unknown command '${name}' (homepost --help lists them)\n`);
    return EXIT.usage;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    // HOMEPOST_DEBUG=1 shows where an unexpected error came from.
    const detail = process.env.HOMEPOST_DEBUG && e instanceof Error ? e.stack : e instanceof Error ? e.message : String(e);
    process.stderr.write(`homepost: ${detail}\n`);
    process.exitCode = e instanceof UsageError ? EXIT.usage : EXIT.failure;
  },
);
