import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { test } from 'node:test';
import { createLogger, silentLogger } from '../log/log.ts';
import { ConnectionTracker, listen } from '../net/listener.ts';
import { createSelfSigned } from './certificate.ts';
import { clockSynchronized } from './clock.ts';
import { TlsManager } from './manager.ts';

function tempTls() {
  const dir = mkdtempSync(path.join(tmpdir(), 'homepost-tls-'));
  const o = {
    certFile: path.join(dir, 'tls', 'cert.pem'),
    keyFile: path.join(dir, 'tls', 'key.pem'),
    hostname: 'mail.example.test',
    domains: ['example.test', 'example.org'],
    log: silentLogger,
  };
  return { dir, o, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

test('first start generates a self-signed ECDSA P-256 certificate with the right names; key mode 0600', () => {
  const t = tempTls();
  try {
    const m = new TlsManager(t.o);
    const cert = new X509Certificate(readFileSync(t.o.certFile));
    const key = createPrivateKey(readFileSync(t.o.keyFile));
    assert.equal(key.asymmetricKeyType, 'ec');
    assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.ok(cert.checkPrivateKey(key));
    assert.equal(cert.issuer, cert.subject, 'self-issued');
    assert.ok(cert.verify(cert.publicKey), 'self-signed: its own key verifies it');
    assert.match(cert.subject, /CN=mail\.example\.test/);
    const san = cert.subjectAltName ?? '';
    for (const name of ['DNS:mail.example.test', 'DNS:example.test', 'DNS:example.org', 'DNS:mail.example.org', 'DNS:localhost', 'IP Address:127.0.0.1']) {
      assert.ok(san.includes(name), `${name} in ${san}`);
    }
    assert.equal(cert.ca, false);
    assert.ok(new Date(cert.validTo).getTime() > Date.now() + 365 * 86_400_000);
    assert.ok(new Date(cert.validFrom).getTime() <= Date.now());
    assert.ok(cert.checkHost('mail.example.test'));
    assert.equal(statSync(t.o.keyFile).mode & 0o777, 0o600, 'private key readable by the owner only');
    const info = m.info();
    assert.equal(info.selfSigned, true);
    assert.equal(info.fingerprint256, cert.fingerprint256);
    // A second start loads the same pair instead of generating another.
    assert.equal(new TlsManager(t.o).info().fingerprint256, cert.fingerprint256);
  } finally {
    t.cleanup();
  }
});

async function tlsServer(m: TlsManager) {
  // The shared listener (src/net) with implicit TLS: each connection takes the current context.
  const l = await listen({
    name: 'test',
    host: '127.0.0.1',
    port: 0,
    tls: m,
    tracker: new ConnectionTracker({ maxConnections: 10, maxPerAddress: 10 }),
    log: silentLogger,
    onSession(socket) {
      socket.on('data', (d) => socket.write(d));
      return { shutdown: () => socket.destroy() };
    },
    refuse() {},
  });
  return l;
}

function connect(port: number, o: tls.ConnectionOptions = {}): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...o });
    s.once('secureConnect', () => resolve(s));
    s.once('error', reject);
  });
}

function echo(s: tls.TLSSocket, text: string): Promise<string> {
  return new Promise((resolve) => {
    s.once('data', (d) => resolve(d.toString()));
    s.write(text);
  });
}

test('TLS 1.0 and 1.1 are refused, 1.2 and 1.3 accepted', async () => {
  const t = tempTls();
  const m = new TlsManager(t.o);
  const l = await tlsServer(m);
  try {
    for (const v of ['TLSv1', 'TLSv1.1'] as const) {
      await assert.rejects(connect(l.port, { minVersion: v, maxVersion: v, ciphers: 'DEFAULT:@SECLEVEL=0' }), Error, v);
    }
    for (const v of ['TLSv1.2', 'TLSv1.3'] as const) {
      const s = await connect(l.port, { minVersion: v, maxVersion: v });
      assert.equal(s.getProtocol(), v);
      s.destroy();
    }
  } finally {
    await l.close();
    m.close();
    t.cleanup();
  }
});

test('TLS 1.2 only with ECDHE and AEAD suites (RFC 9325 4.2); TLS 1.3 as before', async () => {
  const t = tempTls();
  const m = new TlsManager(t.o);
  const l = await tlsServer(m);
  try {
    const v12 = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' } as const;
    // CBC with ECDHE and the certificate's own ECDSA, RSA key exchange, finite-field DHE: refused.
    for (const ciphers of ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA384', 'AES128-GCM-SHA256', 'DHE-RSA-AES128-GCM-SHA256']) {
      await assert.rejects(connect(l.port, { ...v12, ciphers }), Error, ciphers);
    }
    for (const ciphers of ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305']) {
      const s = await connect(l.port, { ...v12, ciphers });
      assert.equal(s.getCipher().name, ciphers);
      s.destroy();
    }
    const s = await connect(l.port, { minVersion: 'TLSv1.3' });
    assert.match(s.getCipher().name, /^TLS_(AES_(128|256)_GCM|CHACHA20_POLY1305)_SHA(256|384)$/);
    s.destroy();
  } finally {
    await l.close();
    m.close();
    t.cleanup();
  }
});

test('hot reload: new connections get the new certificate, an open session keeps working', async () => {
  const t = tempTls();
  const m = new TlsManager({ ...t.o, pollMs: 50 });
  m.watch();
  const l = await tlsServer(m);
  const reloaded = new Promise<void>((r) => m.onReload(r));
  try {
    const old = await connect(l.port);
    const oldFp = old.getPeerX509Certificate()!.fingerprint256;
    assert.equal(await echo(old, 'before'), 'before');
    // A new pair written over the files (as an ACME client would); mtime moves forward.
    const pair = createSelfSigned({ commonName: 'new.example.test', dnsNames: ['new.example.test'], ipAddresses: [] });
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(t.o.keyFile, pair.keyPem, { mode: 0o600 });
    writeFileSync(t.o.certFile, pair.certPem);
    await reloaded; // picked up by the file watch
    const fresh = await connect(l.port);
    const freshCert = fresh.getPeerX509Certificate()!;
    assert.notEqual(freshCert.fingerprint256, oldFp);
    assert.match(freshCert.subject, /CN=new\.example\.test/);
    assert.equal(await echo(old, 'still here'), 'still here', 'the open session is not dropped');
    fresh.destroy();
    old.destroy();
    // A broken pair (key of another certificate) is ignored: the current one stays in use.
    const other = createSelfSigned({ commonName: 'x', dnsNames: ['x'], ipAddresses: [] });
    writeFileSync(t.o.keyFile, other.keyPem, { mode: 0o600 });
    assert.equal(m.reload(), false);
    const after = await connect(l.port);
    assert.equal(after.getPeerX509Certificate()!.fingerprint256, freshCert.fingerprint256);
    after.destroy();
  } finally {
    await l.close();
    m.close();
    t.cleanup();
  }
});

test('a plain TCP client that never finishes the handshake does not hold the listener', async () => {
  const t = tempTls();
  const m = new TlsManager(t.o);
  const l = await tlsServer(m);
  try {
    const raw = net.connect(l.port, '127.0.0.1');
    await new Promise((r) => raw.once('connect', r));
    raw.write('EHLO not tls\r\n');
    const s = await connect(l.port);
    assert.equal(await echo(s, 'ok'), 'ok', 'other clients are served meanwhile');
    s.destroy();
    raw.destroy();
  } finally {
    await l.close();
    m.close();
    t.cleanup();
  }
});

test('a self-signed certificate made while the clock was ahead is made again once the clock is set: at start and by the timer', async () => {
  const t = tempTls();
  try {
    const ahead = createSelfSigned({
      commonName: 'mail.example.test',
      dnsNames: ['mail.example.test'],
      ipAddresses: [],
      now: new Date(Date.now() + 30 * 86_400_000),
    });
    const write = () => {
      mkdirSync(path.dirname(t.o.certFile), { recursive: true });
      writeFileSync(t.o.certFile, ahead.certPem);
      writeFileSync(t.o.keyFile, ahead.keyPem, { mode: 0o600 });
    };
    const aheadPrint = new X509Certificate(ahead.certPem).fingerprint256;
    const startsNow = (m: TlsManager) => new Date(m.info().validFrom).getTime() <= Date.now();

    // At start, with the clock set.
    write();
    const lines: string[] = [];
    const m = new TlsManager({ ...t.o, log: createLogger({ write: (l) => lines.push(l) }), clockSynchronized: () => true });
    assert.notEqual(m.info().fingerprint256, aheadPrint);
    assert.ok(startsNow(m));
    assert.equal(new X509Certificate(readFileSync(t.o.certFile)).fingerprint256, m.info().fingerprint256, 'written to the files');
    assert.ok(lines.some((l) => JSON.parse(l).event === 'tls.not_yet_valid'));
    assert.equal(m.renewIfNotYetValid(), false, 'a certificate that has started stays');

    // While the clock is not set yet it stays; the timer makes it again once it is.
    write();
    let synchronized = false;
    const later = new TlsManager({ ...t.o, clockSynchronized: () => synchronized, clockCheckMs: 20 });
    assert.equal(later.info().fingerprint256, aheadPrint);
    later.watch();
    try {
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(later.info().fingerprint256, aheadPrint);
      synchronized = true;
      for (let i = 0; i < 100 && !startsNow(later); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(startsNow(later));
      assert.equal(later.info().selfSigned, true);
    } finally {
      later.close();
    }
  } finally {
    t.cleanup();
  }
});

test('the clock counts as set without timesyncd, or once timesyncd has synchronised', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'homepost-clock-'));
  try {
    assert.equal(clockSynchronized(path.join(dir, 'no-timesyncd')), true);
    assert.equal(clockSynchronized(dir), false);
    writeFileSync(path.join(dir, 'synchronized'), '');
    assert.equal(clockSynchronized(dir), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
