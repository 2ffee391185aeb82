// The homepost executable: daemon and CLI in one (design.md).
import { serveCommand } from './cli/serve.ts';
import { UsageError } from './config/options.ts';
import { VERSION } from './version.ts';

const USAGE = `usage: homepost <command> [options]

commands:
  serve        run the mail server (homepost serve --help)
  --version    print the version

Each command takes --help.`;

const commands: Record<string, (argv: string[]) => Promise<number>> = {
  serve: serveCommand,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === 'version') {
    process.stdout.write(`homepost ${VERSION} (node ${process.version}, ${process.arch})\n`);
    return 0;
  }
  if (!name || name === '--help' || name === 'help') {
    process.stdout.write(USAGE + '\n');
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`homepost: unknown command '${name}' (homepost --help lists them)\n`);
    return 2;
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`homepost: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  },
);
