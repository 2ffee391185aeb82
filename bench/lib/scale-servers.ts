// The two servers of `make bench-imap-scale`, each on a fresh copy of the cached data
// (bench/lib/scale-data.ts) with IMAP and POP3 on 127.0.0.1, and restartable: a restart stops the
// server, empties the page cache (dropPageCache) and starts it again on the same data, for the
// "cold" measurements.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashPassword } from '../../src/auth/password.ts';
import { startDovecot } from '../../test/imap/dovecot-diff/dovecot.ts';
import { freePort, waitForPort } from '../../test/support/ports.ts';
import type { MemoryCgroup } from './cgroup.ts';
import type { HomepostCommand } from './homepost.ts';
import { root } from './homepost.ts';
import { dropPageCache } from './memory.ts';
import { BENCH, OBSERVER } from './scale-data.ts';

const START_MS = 120_000;

export interface ScaleServer {
  name: string;
  imapPort: number;
  pop3Port: number;
  pids(): number[];
  restart(): Promise<void>;
  stop(): Promise<void>;
}

// `homepost serve` on a copy of the cached data folder (LMDB writes in place: a real copy).
// In `cgroup` when given (BENCH_MEMORY_LIMIT_MB).
export async function startHomepost(command: HomepostCommand, cachedData: string, cgroup?: MemoryCgroup): Promise<ScaleServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'homepost-bench-scale-'));
  execFileSync('cp', ['-a', `${cachedData}/.`, dir]);
  dropPageCache();
  const [imapPort, pop3Port] = [await freePort(), await freePort()];
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  const start = async () => {
    const log = openSync(path.join(dir, 'homepost.log'), 'a');
    const c = spawn(
      command.cmd,
      [...command.args, 'serve', '--dev', '--data', dir, '--ephemeral', '--listen', `imap=127.0.0.1:${imapPort}`, '--listen', `pop3=127.0.0.1:${pop3Port}`],
      { cwd: root, stdio: ['ignore', log, log] },
    );
    closeSync(log);
    if (c.pid) cgroup?.add(c.pid);
    child = c;
    exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    await waitForPort(imapPort, START_MS);
    await waitForPort(pop3Port, START_MS);
  };
  const halt = async () => {
    if (child && child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    await start();
  } catch (e) {
    await halt();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    name: 'homepost',
    imapPort,
    pop3Port,
    pids: () => (child?.pid && child.exitCode === null ? [child.pid] : []),
    async restart() {
      await halt();
      dropPageCache();
      await start();
    },
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface DovecotServer extends ScaleServer {
  // Copies Dovecot's index files (dovecot.index*, dovecot-uidlist ...) back into the cached maildir.
  saveIndex(): void;
}

// Dovecot's dovecot* files in a maildir's top folder: its index, changed in place.
const indexFiles = (maildir: string) => readdirSync(maildir).filter((f) => f.startsWith('dovecot') && statSync(path.join(maildir, f)).isFile());

// Dovecot (bench/dovecot-imap-scale.conf) with BENCH's Maildir a copy of the cached one: message
// files hard-linked (Dovecot renames and unlinks them, never writes them), its index files copied.
export async function startReference(cachedMaildir: string): Promise<DovecotServer> {
  const pop3Port = await freePort();
  const confDir = mkdtempSync(path.join(tmpdir(), 'homepost-bench-scale-conf-'));
  const conf = path.join(confDir, 'dovecot.conf');
  writeFileSync(conf, readFileSync(path.join(root, 'bench', 'dovecot-imap-scale.conf'), 'utf8').replaceAll('@POP3PORT@', String(pop3Port)));
  // The same password work at login as homepost's: argon2id with its parameters.
  const users = await Promise.all(
    [BENCH, OBSERVER].map(async (u) => ({ name: u.user, password: u.password, hash: `{ARGON2ID}${await hashPassword(u.password)}` })),
  );
  const d = await startDovecot({ conf, users });
  rmSync(confDir, { recursive: true, force: true });
  const maildir = path.join(d.dir, 'mail', BENCH.user, 'Maildir');
  rmSync(maildir, { recursive: true, force: true });
  execFileSync('cp', ['-al', cachedMaildir, maildir]);
  for (const f of indexFiles(maildir)) {
    rmSync(path.join(maildir, f));
    copyFileSync(path.join(cachedMaildir, f), path.join(maildir, f));
  }
  execFileSync('chown', ['-R', 'dovemail:dovemail', path.join(d.dir, 'mail')]);
  dropPageCache();
  const pidFile = path.join(d.dir, 'run', 'master.pid');
  return {
    name: 'dovecot',
    imapPort: d.port,
    pop3Port,
    pids: () => d.pids(),
    async restart() {
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
      // The master removes its pid file once every child is gone.
      for (let i = 0; i < 600 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
      dropPageCache();
      execFileSync('dovecot', ['-c', path.join(d.dir, 'dovecot.conf')], { stdio: 'ignore', env: { ...process.env, TZ: 'UTC' } });
      await waitForPort(d.port, START_MS);
      await waitForPort(pop3Port, START_MS);
    },
    stop: () => d.stop(),
    saveIndex() {
      for (const f of indexFiles(maildir)) copyFileSync(path.join(maildir, f), path.join(cachedMaildir, f));
    },
  };
}
