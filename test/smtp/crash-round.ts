// One round of the crash test, shared by test/smtp/crash.test.ts and bench/smtp.ts: start
// `bin/homepost serve --dev --ephemeral --data DIR`, send from `workers` concurrent SMTP
// sessions, SIGKILL the process while they send, then open the store and compare what was
// acknowledged with what is there.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Store } from '../../src/store/index.ts';
import { RawSmtp } from './harness.ts';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

export interface ServeChild {
  child: ChildProcess;
  ports: Record<string, number>;
}

// Starts the daemon from the checkout and waits for its server.ready log line. With
// fileSizeLimitKb, it runs under that file size limit (ulimit -f) with SIGXFSZ ignored, so writes
// past it fail as on a full disk.
export async function startServeChild(dir: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}, fileSizeLimitKb?: number): Promise<ServeChild> {
  const argv = [path.join(ROOT, 'bin/homepost'), 'serve', '--ephemeral', '--data', dir, '--hostname', 'mail.example.test', ...extraArgs];
  const [command, ...args] = fileSizeLimitKb ? ['bash', '-c', `trap '' XFSZ; ulimit -f ${fileSizeLimitKb}; exec "$@"`, 'bash', ...argv] : argv;
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const lines = createInterface({ input: child.stdout! });
  const ports = await new Promise<Record<string, number>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('homepost serve did not become ready')), 30_000);
    child.once('exit', (code) => reject(new Error(`homepost serve exited with ${code}`)));
    lines.on('line', (line) => {
      if (!line.startsWith('{')) return;
      const rec = JSON.parse(line) as { event: string; ports?: Record<string, number> };
      if (rec.event === 'server.ready') {
        clearTimeout(timer);
        resolve(rec.ports!);
      }
    });
  });
  lines.on('line', () => {}); // keep draining the log
  return { child, ports };
}

export interface RoundResult {
  acked: number;
  missing: string[];
  duplicates: string[];
  problems: string[];
}

export async function crashRound(dir: string, round: number, o: { workers: number; loadMs: number }): Promise<RoundResult> {
  const { child, ports } = await startServeChild(dir, ['--dev']);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const acked: string[] = [];
  const sent = new Set<string>();
  let stop = false;
  const worker = async (w: number) => {
    let c: RawSmtp | null = null;
    try {
      c = await RawSmtp.connect(ports.smtp);
      await c.reply();
      await c.command('EHLO load.example');
      for (let n = 0; !stop; n++) {
        const id = `r${round}.w${w}.n${n}@crash.example`;
        await c.command('MAIL FROM:<load@remote.example>');
        await c.command('RCPT TO:<dev@example.test>');
        const go = await c.command('DATA');
        if (go.code !== 354) throw new Error(`DATA: ${go.code}`);
        sent.add(id);
        const r = await c.command(`From: load@remote.example\r\nTo: dev@example.test\r\nMessage-ID: <${id}>\r\nSubject: crash ${id}\r\n\r\n${'payload line\r\n'.repeat(40)}.`);
        if (r.code === 250) acked.push(id);
        else throw new Error(`unexpected reply ${r.lines[0]}`);
      }
    } catch {
      // the server was killed under us: expected
    } finally {
      c?.close();
    }
  };
  const workers = Array.from({ length: o.workers }, (_, w) => worker(w));
  await new Promise((r) => setTimeout(r, o.loadMs));
  child.kill('SIGKILL');
  stop = true;
  await exited;
  await Promise.all(workers);

  const store = await Store.open(dir);
  try {
    const account = store.accounts.get('dev@example.test')!;
    const inbox = store.mailboxes.get(account.id, 'INBOX')!;
    const counts = new Map<string, number>();
    for (const m of store.messages.list(inbox.id)) {
      const head = store.messages.body(m.hash)!.toString('latin1', 0, 2048);
      const id = /\r\nMessage-ID: <([^>]+)>/.exec(head)?.[1];
      if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return {
      acked: acked.length,
      missing: acked.filter((id) => !counts.has(id)),
      duplicates: [...counts].filter(([id, n]) => n > 1 || (id.startsWith(`r${round}.`) && !sent.has(id))).map(([id]) => id),
      problems: store.checkConsistency(),
    };
  } finally {
    await store.close();
  }
}
