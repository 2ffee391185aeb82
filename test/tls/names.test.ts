// A self-signed certificate follows the names without a restart: a domain added or removed
// through the API, or a new server.hostname, is in the certificate served to new connections.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestServer } from '../support/server.ts';
import { api, servedCert, waitForServed } from './served.ts';
import type { CertStatus } from '../../src/api/commands/cert.ts';

test('a self-signed certificate follows the domains and the host name, hot', async () => {
  const server = await startTestServer();
  try {
    const port = server.ports.imaps;
    const before = await servedCert(port);
    assert.ok(!before.subjectAltName?.includes('new.test'));
    await api(server, 'domain.add', { domain: 'new.test' });
    // The store's domains are polled (every 5 s).
    const added = await waitForServed(port, (c) => (c.subjectAltName ?? '').includes('DNS:new.test'), 10_000);
    for (const n of ['DNS:mail.example.test', 'DNS:new.test', 'DNS:mail.new.test', 'DNS:autoconfig.new.test', 'DNS:localhost', 'IP Address:127.0.0.1']) {
      assert.ok(added.subjectAltName!.includes(n), `${n} in ${added.subjectAltName}`);
    }
    assert.equal(added.issuer, added.subject, 'still self-signed');
    // A new host name is followed at once (the setting is watched).
    await api(server, 'config.set', { key: 'server.hostname', value: 'mx.other.test' });
    const renamed = await waitForServed(port, (c) => c.subject.includes('CN=mx.other.test'), 2_000);
    assert.ok(renamed.subjectAltName!.includes('DNS:mx.other.test'));
    assert.equal(renamed.subjectAltName!.split(', ')[0], 'DNS:mx.other.test', 'the host name comes first');
    await api(server, 'domain.del', { domain: 'new.test' });
    const removed = await waitForServed(port, (c) => !(c.subjectAltName ?? '').includes('new.test'), 10_000);
    assert.ok(removed.subjectAltName!.includes('DNS:mx.other.test'));
    const status = await api<CertStatus>(server, 'cert.status');
    assert.equal(status.source, 'self-signed');
    assert.equal(status.coversHostname, true);
    assert.equal(status.certificate.fingerprint256, removed.fingerprint256);
  } finally {
    await server.close();
  }
});
