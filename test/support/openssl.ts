// openssl s_client as an outside TLS client: one handshake (implicit TLS, or after -starttls), and
// the version and cipher suite it agreed on. Asynchronous, so the server may run in this process.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';

export interface Handshake {
  ok: boolean; // s_client's exit status was 0
  protocol: string | null; // "TLSv1.2"; null when no handshake completed
  cipher: string | null; // OpenSSL's name, "ECDHE-ECDSA-AES128-GCM-SHA256"
  output: string;
}

// args: more s_client flags, e.g. ['-tls1_2', '-cipher', 'AES128-SHA'] or ['-starttls', 'smtp'].
// Standard input is empty, so s_client closes right after the handshake.
export function opensslHandshake(port: number, args: string[]): Promise<Handshake> {
  return new Promise((resolve) => {
    const child = execFile('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...args], { timeout: 15_000 }, (err, stdout, stderr) => {
      const m = /^New, (TLSv[\d.]+), Cipher is (\S+)$/m.exec(stdout);
      resolve({ ok: !err, protocol: m?.[1] ?? null, cipher: m?.[2] ?? null, output: stdout + stderr });
    });
    child.stdin!.end();
  });
}

// RFC 9325 4.2: TLS 1.2 with a CBC suite (RSA key exchange, or ECDHE with the certificate's own
// ECDSA) is refused; ECDHE with AES-GCM completes.
export async function checkAeadOnly(port: number, args: string[] = []): Promise<void> {
  for (const cipher of ['AES128-SHA', 'ECDHE-ECDSA-AES128-SHA']) {
    const h = await opensslHandshake(port, [...args, '-tls1_2', '-cipher', cipher]);
    assert.deepEqual([h.ok, h.cipher], [false, null], `${cipher}:\n${h.output}`);
  }
  const h = await opensslHandshake(port, [...args, '-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256']);
  assert.deepEqual([h.ok, h.protocol, h.cipher], [true, 'TLSv1.2', 'ECDHE-ECDSA-AES128-GCM-SHA256'], h.output);
}
