// What a TLS client sees: the certificate a listener serves, and a wait for it to change.
import type { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import { callMethod, daemonApiContext } from '../../src/api/api.ts';
import { silentLogger } from '../../src/log/log.ts';
import type { TestServer } from '../support/server.ts';

// The leaf the listener on port serves (no verification unless ca is given: then it must verify).
export function servedCert(port: number, o: { ca?: string; servername?: string } = {}): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const s = tls.connect(
      { port, host: '127.0.0.1', servername: o.servername ?? 'mail.example.test', ca: o.ca, rejectUnauthorized: o.ca !== undefined },
      () => {
        const cert = s.getPeerX509Certificate();
        s.destroy();
        if (cert) resolve(cert);
        else reject(new Error('no certificate'));
      },
    );
    s.once('error', reject);
  });
}

// Polls until check passes on the served certificate, or fails after ms.
export async function waitForServed(port: number, check: (c: X509Certificate) => boolean, ms: number): Promise<X509Certificate> {
  const until = Date.now() + ms;
  for (;;) {
    const c = await servedCert(port);
    if (check(c)) return c;
    if (Date.now() > until) throw new Error(`served certificate still ${c.subject} ${c.subjectAltName} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// Calls an API method inside the test server, as the control socket and the setup page do.
export async function api<T = unknown>(server: TestServer, name: string, params: object = {}): Promise<T> {
  return (await callMethod(daemonApiContext(server.context, silentLogger), name, params)) as T;
}
