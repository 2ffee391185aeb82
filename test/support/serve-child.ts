// `homepost serve` as a child process (from the checkout, or an executable): started, and its
// server.ready log line awaited for the ports. For what only a real process shows: kill -9,
// signals, file size limits, the built executable.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CHECKOUT_BIN = path.join(ROOT, 'bin/homepost');

export interface ServeChild {
  child: ChildProcess;
  ports: Record<string, number>;
  // Every stdout line so far (it keeps filling while the child runs).
  lines: string[];
  // Resolves with the exit code (null when killed by a signal) and the signal.
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface ServeChildOptions {
  dataDir: string;
  args?: string[]; // more `serve` flags, e.g. ['--dev']
  executable?: string; // default: bin/homepost from the checkout
  env?: NodeJS.ProcessEnv;
  unset?: string[]; // variables of this process's environment the child does not get
  // Run under this file size limit (ulimit -f, in KB) with SIGXFSZ ignored, so writes past it
  // fail as on a full disk.
  fileSizeLimitKb?: number;
  stderr?: 'inherit' | 'pipe';
  timeoutMs?: number;
}

export function startServeChild(o: ServeChildOptions): Promise<ServeChild> {
  const argv = [o.executable ?? CHECKOUT_BIN, 'serve', '--ephemeral', '--data', o.dataDir, '--hostname', 'mail.example.test', ...(o.args ?? [])];
  const [command, ...args] = o.fileSizeLimitKb ? ['bash', '-c', `trap '' XFSZ; ulimit -f ${o.fileSizeLimitKb}; exec "$@"`, 'bash', ...argv] : argv;
  const env = { ...process.env, ...o.env };
  for (const k of o.unset ?? []) delete env[k];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', o.stderr ?? 'inherit'], env });
  const lines: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const ports = new Promise<Record<string, number>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`homepost serve did not become ready:\n${lines.join('\n')}`)), o.timeoutMs ?? 30_000);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`homepost serve ended (${code ?? signal}) before ready:\n${lines.join('\n')}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (!line.startsWith('{')) return;
      const rec = JSON.parse(line) as { event: string; ports?: Record<string, number> };
      if (rec.event === 'server.ready') {
        clearTimeout(timer);
        resolve(rec.ports!);
      }
    });
  });
  return ports.then((p) => ({ child, ports: p, lines, exited }));
}
