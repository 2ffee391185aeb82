// One round of the crash test, shared by test/smtp/crash.test.ts and bench/smtp.ts: start
// `bin/homepost serve --dev --ephemeral --data DIR`, send from `workers` concurrent SMTP
// sessions, SIGKILL the process while they send, then open the store and compare what was
// acknowledged with what is there.
import { Store } from '../../src/store/index.ts';
import { startServeChild } from '../support/serve-child.ts';
import { RawSmtp } from './harness.ts';

export interface RoundResult {
  acked: number;
  missing: string[];
  duplicates: string[];
  problems: string[];
}

export async function crashRound(dir: string, round: number, o: { workers: number; loadMs: number }): Promise<RoundResult> {
  const { child, ports, exited } = await startServeChild({ dataDir: dir, args: ['--dev'] });
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
        const r = await c.command(
          `From: load@remote.example\r\nTo: dev@example.test\r\nMessage-ID: <${id}>\r\nSubject: crash ${id}\r\n\r\n${'payload line\r\n'.repeat(40)}.`,
        );
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
  // The load runs for loadMs from the first acknowledgement (a busy machine starts slowly), or
  // the round ends with none after a minute.
  for (let waited = 0; acked.length === 0 && waited < 60_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
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
