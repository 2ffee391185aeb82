// Runs the homepost CLI as a person or a script would: a separate process, arguments, standard
// input, exit code. From the checkout by default; the binary tests pass the executable instead.
import { spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const FROM_CHECKOUT = [process.execPath, path.join(ROOT, 'src/main.ts')];

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  // Standard input; without it stdin is /dev/null (not a terminal).
  input?: string;
  env?: Record<string, string>;
  // The program and its leading arguments (default: src/main.ts on this node).
  command?: string[];
  timeoutMs?: number;
}

export function runCli(args: string[], o: CliOptions = {}): Promise<CliResult> {
  const [program, ...lead] = o.command ?? FROM_CHECKOUT;
  const env: Record<string, string | undefined> = { ...process.env, HOMEPOST_DATA: undefined, HOMEPOST_DEBUG: undefined, ...o.env };
  const child = spawn(program, [...lead, ...args], { env, stdio: [o.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (o.input !== undefined) child.stdin!.end(o.input);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`homepost ${args.join(' ')}: no exit within ${o.timeoutMs ?? 30_000} ms\n${stderr}`));
    }, o.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128 + (signal === 'SIGKILL' ? 9 : 15), stdout, stderr });
    });
  });
}

// The parsed --json output of a command that must succeed.
export async function runJson<T = unknown>(args: string[], o: CliOptions = {}): Promise<T> {
  const r = await runCli([...args, '--json'], o);
  if (r.code !== 0) throw new Error(`homepost ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
