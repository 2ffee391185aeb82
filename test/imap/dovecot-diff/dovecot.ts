// Dovecot as a reference server (peers.md), for the IMAP differential tests and the IMAP and POP3
// benchmarks: a temporary folder with a config (dovecot.conf by default), a users file and one
// maildir per user filled with the given messages, started on a free 127.0.0.1 port. By default
// messages are written as maildir files in new/, and Dovecot indexes them on first access: the
// file's bytes are the message (identical to what homepost's store gets) and its mtime is the
// INTERNALDATE.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from '../../support/ports.ts';

const CONF = new URL('./dovecot.conf', import.meta.url).pathname;

export interface DovecotMessage {
  user: string;
  // A top-level mailbox other than INBOX (a Maildir++ folder, ".Name").
  mailbox?: string;
  raw: Buffer;
  // Milliseconds since the epoch; whole seconds (a file's mtime) keep it exact.
  internalDate: number;
}

export interface Dovecot {
  dir: string;
  port: number;
  // The master and every process it started, for RSS sums.
  pids(): number[];
  stop(): Promise<void>;
}

// peers.md: the mail processes run as this user. Created once, if missing.
function ensureMailUser(): void {
  try {
    execFileSync('id', ['dovemail'], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', ['-r', '-M', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', 'dovemail'], { stdio: 'ignore' });
  }
}

// Parent pid of every process, from /proc.
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

// conf: a config template with @DIR@ and @PORT@ (default: dovecot.conf beside this file).
// A user's password goes into the users file as {PLAIN}, or as `hash` (a scheme-prefixed hash such
// as {ARGON2ID}$argon2id$...) when given. layout "lda" stores messages as Dovecot's own delivery
// does (LF line ends, in cur/ with S= and W= sizes in the name, so nothing is rescanned); the
// default puts the bytes as they are in new/.
export async function startDovecot(opts: {
  users: { name: string; password: string; hash?: string }[];
  messages?: DovecotMessage[];
  conf?: string;
  layout?: 'new' | 'lda';
}): Promise<Dovecot> {
  ensureMailUser();
  const dir = mkdtempSync(path.join(tmpdir(), 'homepost-dovecot-'));
  chmodSync(dir, 0o755);
  const port = await freePort();
  for (const d of ['run/state', 'log', 'mail']) mkdirSync(path.join(dir, d), { recursive: true });
  const counters = new Map<string, number>();
  for (const u of opts.users) {
    const maildir = path.join(dir, 'mail', u.name, 'Maildir');
    for (const d of ['cur', 'new', 'tmp']) mkdirSync(path.join(maildir, d), { recursive: true });
    counters.set(u.name, 0);
  }
  for (const m of opts.messages ?? []) {
    const n = counters.get(m.user);
    if (n === undefined) throw new Error(`no user ${m.user}`);
    counters.set(m.user, n + 1);
    const folder = path.join(dir, 'mail', m.user, 'Maildir', ...(m.mailbox ? [`.${m.mailbox}`] : []));
    for (const d of ['cur', 'new', 'tmp']) mkdirSync(path.join(folder, d), { recursive: true });
    // Dovecot gives new files their UIDs in file name order: the names sort as delivered.
    const base = `${1700000000 + n}.M${String(n).padStart(6, '0')}P1.homepost-diff`;
    let file: string;
    if (opts.layout === 'lda') {
      const lf = Buffer.from(m.raw.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
      file = path.join(folder, 'cur', `${base},S=${lf.length},W=${m.raw.length}:2,`);
      writeFileSync(file, lf);
    } else {
      file = path.join(folder, 'new', base);
      writeFileSync(file, m.raw);
    }
    const t = m.internalDate / 1000;
    utimesSync(file, t, t);
  }
  writeFileSync(path.join(dir, 'users'), opts.users.map((u) => `${u.name}:${u.hash ?? `{PLAIN}${u.password}`}\n`).join(''));
  const conf = path.join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    readFileSync(opts.conf ?? CONF, 'utf8')
      .replaceAll('@DIR@', dir)
      .replaceAll('@PORT@', String(port)),
  );
  execFileSync('chown', ['-R', 'dovemail:dovemail', path.join(dir, 'mail')]);
  // The master daemonizes; no pipes for it to hold open. TZ=UTC: dates as homepost writes them.
  execFileSync('dovecot', ['-c', conf], { stdio: 'ignore', env: { ...process.env, TZ: 'UTC' } });
  const pidFile = path.join(dir, 'run', 'master.pid');
  const master = (): number => Number(readFileSync(pidFile, 'utf8'));
  const stop = async () => {
    if (existsSync(pidFile)) {
      const pid = master();
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // already gone
      }
      // The master removes its pid file once every child is gone.
      for (let i = 0; i < 100 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port);
  } catch (e) {
    const log = path.join(dir, 'log', 'dovecot.log');
    const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
    await stop();
    throw new Error(`${(e as Error).message}\n${text}`);
  }
  return {
    dir,
    port,
    pids() {
      const pid = master();
      const ppid = parents();
      const all = new Set([pid]);
      // Descendants: imap-login, imap, auth, config, log, anvil ...
      for (let grew = true; grew; ) {
        grew = false;
        for (const [p, parent] of ppid) {
          if (all.has(parent) && !all.has(p)) {
            all.add(p);
            grew = true;
          }
        }
      }
      return [...all];
    },
    stop,
  };
}
