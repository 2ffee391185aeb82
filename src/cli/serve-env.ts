// Settings that glibc and libuv read only when a process starts, so `serve` executes itself again
// with them (process.execve replaces the process: same pid, nothing doubled), unless the
// environment already sets them (the device's systemd unit does).
// - glibc's allocator keeps the memory of large freed blocks in per-thread arenas: after logins,
//   the 7 MiB argon2id work areas (src/auth/password.ts, computed on libuv's threads) stay in RSS,
//   50-85 MB of it (bench-imap). A fixed mmap threshold returns such blocks to the system at once
//   and one arena keeps the rest together. The threshold is 64 KiB, the size of each socket read's
//   buffer: a client that streams hundreds of MB (eight 49 MB messages at once) otherwise leaves
//   the heap fragmented by them, 70 MB above idle after the load ended (bench-hostile).
// - libuv's thread pool: 8 threads rather than 4. lmdb-js reads a search's bodies ahead on them
//   (src/store/bodies.ts, all but two: the password hashes that may run at once), and with the
//   store's one-page faults (noReadAhead, src/store/open.ts) more reads in flight keep the disk
//   busier: SEARCH TEXT over 50,000 messages read from disk took 7.3 s on average instead of 9.0
//   (bench-imap-scale's mailbox, five alternating runs). A waiting thread costs no CPU, and its
//   stack is address space until used.
import { isSea } from 'node:sea';

export const SERVE_ENV = { MALLOC_ARENA_MAX: '1', MALLOC_MMAP_THRESHOLD_: '65536', UV_THREADPOOL_SIZE: '8' };

// Returns only when the settings are in effect (or cannot be: not Linux).
export function ensureServeEnv(): void {
  if (process.platform !== 'linux' || Object.keys(SERVE_ENV).every((k) => process.env[k] !== undefined)) return;
  const args = isSea() ? [process.execPath, ...process.argv.slice(2)] : [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  process.execve!(process.execPath, args, { ...process.env, ...SERVE_ENV });
}
