// The health check that decides an update (docs/updates.md): the daemon that answers on the control
// socket runs the installed executable (same file: device and inode of /proc/self/exe), its store
// opened and passes the consistency check, and every TCP listener it reports answers with its
// protocol's greeting (RFC 5321 4.2, RFC 9051 7.1, RFC 1939 4) or, for the setup page, an HTTP
// status line (RFC 9112 4). Implicit-TLS listeners are reached through a TLS handshake first.
import { statSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

export interface FileIdentity {
  dev: string;
  ino: string;
}

export function fileIdentity(file: string): FileIdentity {
  const s = statSync(file, { bigint: true });
  return { dev: String(s.dev), ino: String(s.ino) };
}

// What the daemon's update.health method answers.
export interface DaemonHealth {
  version: string;
  pid: number;
  exe: FileIdentity;
  supervised: boolean;
  listeners: { name: string; host: string; port: number }[];
  problems: string[];
}

const TLS_LISTENERS = new Set(['submissions', 'imaps', 'pop3s', 'https']);
const HTTP_LISTENERS = new Set(['http', 'https']);
const GREETINGS: Record<string, [RegExp, string]> = {
  smtp: [/^220[ -]/, 'QUIT\r\n'],
  submission: [/^220[ -]/, 'QUIT\r\n'],
  submissions: [/^220[ -]/, 'QUIT\r\n'],
  imap: [/^\* (OK|PREAUTH) /, 'a LOGOUT\r\n'],
  imaps: [/^\* (OK|PREAUTH) /, 'a LOGOUT\r\n'],
  pop3: [/^\+OK/, 'QUIT\r\n'],
  pop3s: [/^\+OK/, 'QUIT\r\n'],
};
const PROBE_TIMEOUT_MS = 10_000;

// Null when the listener answered as it should; otherwise what was wrong.
export function probeListener(l: { name: string; host: string; port: number }): Promise<string | null> {
  const host = l.host === '0.0.0.0' || l.host === '' ? '127.0.0.1' : l.host === '::' ? '::1' : l.host;
  const http = HTTP_LISTENERS.has(l.name);
  const [expect, bye] = http ? [/^HTTP\/1\.[01] [1-5]\d\d /, ''] : (GREETINGS[l.name] ?? [/^/, '']);
  return new Promise((resolve) => {
    const socket = TLS_LISTENERS.has(l.name)
      ? tls.connect({ host, port: l.port, rejectUnauthorized: false, servername: 'localhost' })
      : net.connect({ host, port: l.port });
    let text = '';
    let settled = false;
    const done = (problem: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (problem === null && bye) socket.end(bye);
      else socket.destroy();
      resolve(problem && `${l.name} (port ${l.port}) ${problem}`);
    };
    const timer = setTimeout(() => done('did not answer within 10 s'), PROBE_TIMEOUT_MS);
    socket.once(TLS_LISTENERS.has(l.name) ? 'secureConnect' : 'connect', () => {
      if (http) socket.write(`HEAD / HTTP/1.1\r\nHost: ${host.includes(':') ? `[${host}]` : host}\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      const line = text.indexOf('\r\n');
      if (line < 0 && text.length < 1024) return;
      const first = text.slice(0, line < 0 ? 80 : line);
      done(expect.test(first) ? null : `answered ${JSON.stringify(first.slice(0, 80))}`);
    });
    socket.on('error', (e) => done(`refused the connection: ${e.message}`));
    socket.on('end', () => done('closed the connection without a greeting'));
  });
}

export async function probeListeners(listeners: DaemonHealth['listeners']): Promise<string[]> {
  return (await Promise.all(listeners.map(probeListener))).filter((p): p is string => p !== null);
}
