// cert upload: a CA's certificate and key replace the one in use at once, after checks that
// refuse a wrong key, a chain out of order, an expired or not yet valid certificate, and one that
// does not name the host name. An uploaded certificate is then left alone.
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { createSelfSigned } from '../../src/tls/certificate.ts';
import { runCli } from '../cli/run-cli.ts';
import { startTestServer } from '../support/server.ts';
import { tempDir } from '../support/temp-store.ts';
import { issue, rootCa } from './pki.ts';
import { api, servedCert, waitForServed } from './served.ts';
import type { CertStatus } from '../../src/api/commands/cert.ts';
import type { ApiError } from '../../src/api/method.ts';

test('cert upload: refusals in words, then installed hot and left alone', async () => {
  const dir = tempDir('homepost-upload-');
  const root = rootCa(dir, 'Test Root');
  const inter = issue(dir, root, 'Test Intermediate', { ca: true });
  const leaf = issue(dir, inter, 'leaf', { names: ['mail.example.test'] });
  const other = issue(dir, inter, 'other', { names: ['www.elsewhere.test'] });
  const server = await startTestServer();
  try {
    const port = server.ports.imaps;
    const before = await servedCert(port);
    const refused = async (certificate: string, key: string, why: RegExp) => {
      await assert.rejects(api(server, 'cert.upload', { certificate, key }), (e: ApiError) => e.code === 'invalid' && why.test(e.message));
    };
    await refused(leaf.cert + inter.cert, other.key, /the key does not belong to the certificate \(CN=mail\.example\.test\)/);
    await refused(leaf.cert + root.cert + inter.cert, leaf.key, /chain is out of order: certificate 2 \(CN=Test Root\) did not sign certificate 1/);
    const old = createSelfSigned({
      commonName: 'mail.example.test',
      dnsNames: ['mail.example.test'],
      ipAddresses: [],
      now: new Date(Date.now() - 20 * 365 * 86_400_000),
    });
    await refused(old.certPem, old.keyPem, /the certificate expired on \d{4}-/);
    const future = createSelfSigned({
      commonName: 'mail.example.test',
      dnsNames: ['mail.example.test'],
      ipAddresses: [],
      now: new Date(Date.now() + 365 * 86_400_000),
    });
    await refused(future.certPem, future.keyPem, /not valid before \d{4}-.*clock/);
    await refused(other.cert + inter.cert, other.key, /does not name this server's host name mail\.example\.test \(it names DNS:www\.elsewhere\.test\)/);
    await refused('not a certificate', leaf.key, /no certificate found/);
    await refused(leaf.cert, 'not a key', /not a PEM private key/);
    assert.equal((await servedCert(port)).fingerprint256, before.fingerprint256, 'nothing changed');

    // Through the CLI, which reads the files and sends their text to the daemon.
    const chainFile = path.join(dir, 'chain.pem');
    writeFileSync(chainFile, leaf.cert + inter.cert);
    const r = await runCli(['cert', 'upload', chainFile, leaf.keyFile, '--data', server.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /certificate installed\nsubject +CN=mail\.example\.test\nissuer +CN=Test Intermediate\nnames +DNS:mail\.example\.test\n/);
    const served = await waitForServed(port, (c) => c.fingerprint256 !== before.fingerprint256, 5_000);
    assert.equal(served.issuer, 'CN=Test Intermediate');
    // The chain is served whole: a client trusting only the root verifies it.
    await servedCert(port, { ca: root.cert });
    assert.equal(statSync(path.join(server.dataDir, 'tls', 'key.pem')).mode & 0o777, 0o600);
    const status = await api<CertStatus>(server, 'cert.status');
    assert.equal(status.source, 'uploaded');
    assert.equal(status.coversHostname, true);
    assert.equal(status.acme!.nextAttempt, null, 'no ACME renewal planned');

    // Left alone: a new domain does not bring a self-signed one back, nor does cert generate without --force.
    await api(server, 'domain.add', { domain: 'new.test' });
    await new Promise((r) => setTimeout(r, 6_000));
    assert.equal((await servedCert(port)).fingerprint256, served.fingerprint256);
    await assert.rejects(api(server, 'cert.generate'), (e: ApiError) => e.code === 'forbidden');
  } finally {
    await server.close();
  }
});
