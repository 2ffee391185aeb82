// ACME against Pebble: homepost answers HTTP-01 on its plain HTTP listener, installs the
// certificate for new connections without a restart, renews it on schedule, and reports a failed
// validation in cert.status and tries again by itself.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { startTestServer } from '../support/server.ts';
import { tempDir } from '../support/temp-store.ts';
import { startPebble } from './pebble.ts';
import { api, servedCert, waitForServed } from './served.ts';
import type { CertStatus } from '../../src/api/commands/cert.ts';
import type { AcmeAttempt, AcmeState } from '../../src/tls/acme.ts';
import { acmeAccountKeyFile } from '../../src/tls/settings.ts';

// cert.acme and cert.status in the daemon once an order was tried: the ACME part is there, with
// its last attempt and (in these steps) the next one planned.
type Status = CertStatus & { acme: AcmeState & { lastAttempt: AcmeAttempt; nextAttempt: string } };

async function until<T>(what: string, ms: number, f: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('ACME: issue over HTTP-01, serve, renew, and a failed validation retried', async () => {
  const dir = tempDir('homepost-pebble-');
  const pebble = await startPebble(dir);
  const server = await startTestServer({ extraArgs: ['--listen', `http=127.0.0.1:${pebble.httpPort}`] });
  try {
    const port = server.ports.imaps;
    await api(server, 'config.set', { key: 'acme.directoryUrl', value: pebble.directoryUrl });
    await api(server, 'config.set', { key: 'acme.caFile', value: pebble.caFile });

    // Issue: the call returns when the attempt has ended.
    const started = Date.now();
    const s1 = await api<Status>(server, 'cert.acme', { email: 'owner@example.test', wait: true });
    const issueMs = Date.now() - started;
    assert.equal(s1.acme.lastAttempt.ok, true, s1.acme.lastAttempt.error);
    assert.equal(s1.source, 'acme');
    assert.deepEqual(s1.acme.names, ['mail.example.test']);
    assert.equal(s1.acme.step, null);
    assert.equal(s1.coversHostname, true);
    const served = await servedCert(port);
    assert.match(served.issuer, /Pebble Intermediate CA/);
    assert.equal(served.fingerprint256, s1.certificate.fingerprint256);
    assert.equal(served.subjectAltName, 'DNS:mail.example.test');
    // The chain verifies up to Pebble's root for the host name.
    await servedCert(port, { ca: await pebble.root(), servername: 'mail.example.test' });
    // Renewal planned at two thirds of the lifetime.
    const notBefore = Date.parse(served.validFrom);
    const notAfter = Date.parse(served.validTo);
    const planned = Date.parse(s1.acme.nextAttempt);
    assert.ok(Math.abs(planned - (notBefore + ((notAfter - notBefore) * 2) / 3)) < 2000, `${s1.acme.nextAttempt} vs ${served.validFrom}..${served.validTo}`);
    assert.equal(statSync(path.join(server.dataDir, 'tls', 'key.pem')).mode & 0o777, 0o600);
    assert.equal(statSync(acmeAccountKeyFile(server.dataDir)).mode & 0o777, 0o600);
    // A new domain does not replace an ACME certificate.
    await api(server, 'domain.add', { domain: 'new.test' });

    // Renewal: due 2 s from now.
    await api(server, 'config.set', { key: 'acme.renewBefore', value: notAfter - Date.now() - 2000 });
    const renewed = await waitForServed(port, (c) => c.fingerprint256 !== served.fingerprint256, 30_000);
    await api(server, 'config.reset', { key: 'acme.renewBefore' });
    assert.match(renewed.issuer, /Pebble Intermediate CA/);
    assert.equal(renewed.subjectAltName, 'DNS:mail.example.test');
    const s2 = await api<Status>(server, 'cert.status');
    assert.equal(s2.acme.lastAttempt.ok, true);
    assert.ok(Date.parse(s2.acme.nextAttempt) > Date.now() + 86_400_000, s2.acme.nextAttempt);

    // Failure: the name now resolves where nothing listens; retried after acme.retryDelay. The
    // renewal's order must have ended first (the new certificate is served before it does), or
    // cert.acme would join it rather than start a new one.
    await until('the renewal order ended', 30_000, async () => ((await api<Status>(server, 'cert.status')).acme.step === null ? true : undefined));
    await pebble.setAddress('127.0.0.2');
    // A new account from here on: Pebble reuses an account's valid authorization for one order in
    // a hundred even with PEBBLE_AUTHZREUSE=0 (its test is rand.Intn(100) > percent), and such an
    // order succeeds without asking the name. A new account has none to reuse.
    rmSync(acmeAccountKeyFile(server.dataDir));
    await api(server, 'config.set', { key: 'acme.retryDelay', value: 1000 });
    const s3 = await api<Status>(server, 'cert.acme', { wait: true });
    assert.equal(s3.acme.lastAttempt.ok, false, JSON.stringify(s3.acme));
    assert.match(
      s3.acme.lastAttempt.error!,
      /could not check mail\.example\.test over http:\/\/mail\.example\.test\/ \(port 80 must reach this server\): .*(refused|connect)/i,
    );
    assert.equal(s3.acme.failures, 1);
    assert.ok(Date.parse(s3.acme.nextAttempt) <= Date.parse(s3.acme.lastAttempt.at) + 1000);
    // The certificate in use stays.
    assert.equal((await servedCert(port)).fingerprint256, renewed.fingerprint256);
    const s4 = await until('a second failed attempt', 30_000, async () => {
      const s = await api<Status>(server, 'cert.status');
      return s.acme.failures >= 2 ? s : undefined;
    });
    assert.ok(Date.parse(s4.acme.nextAttempt) - Date.parse(s4.acme.lastAttempt.at) >= 2000, 'the wait doubles');
    // Reachable again: the next retry succeeds.
    await pebble.setAddress('127.0.0.1');
    const fixed = await waitForServed(port, (c) => c.fingerprint256 !== renewed.fingerprint256, 30_000);
    assert.match(new X509Certificate(fixed.raw).issuer, /Pebble Intermediate CA/);
    const s5 = await until('success in status', 5_000, async () => {
      const s = await api<Status>(server, 'cert.status');
      return s.acme.lastAttempt.ok ? s : undefined;
    });
    assert.equal(s5.acme.failures, 0);
    console.log(`figures: first issuance ${issueMs} ms`);
  } finally {
    await server.close();
    await pebble.stop();
  }
});
