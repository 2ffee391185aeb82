import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { compareVersions, elfArch, publicKeyOf, readHeader, signedHeader, type UpdateManifest } from './format.ts';

const { privateKey } = generateKeyPairSync('ed25519');
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' });
const manifest: UpdateManifest = { version: '1.2.3', arch: 'arm64', size: 1000, sha256: 'ab'.repeat(32) };

test('a signed header reads back with the public key; either half of the key names it', () => {
  const head = Buffer.concat([signedHeader(manifest, pem), Buffer.from('\x7fELF...')]);
  const r = readHeader(head, publicKeyOf(pem));
  assert.deepEqual(r.manifest, manifest);
  assert.equal(head.subarray(r.length, r.length + 4).toString('latin1'), '\x7fELF');
  const pub = publicKeyOf(pem).export({ type: 'spki', format: 'pem' });
  assert.deepEqual(readHeader(head, publicKeyOf(pub)).manifest, manifest);
});

test('every byte of the format line, the manifest and the signature counts', () => {
  const head = signedHeader(manifest, pem);
  const key = publicKeyOf(pem);
  for (let i = 0; i < head.length - 1; i++) {
    const changed = Buffer.from(head);
    changed[i] ^= 0x02;
    if (changed[i] === 0x0a || head[i] === 0x0a) continue;
    assert.throws(() => readHeader(changed, key), /not a homepost update file|not signed with the release key|no valid version/, `byte ${i}`);
  }
  const other = generateKeyPairSync('ed25519').publicKey;
  assert.throws(() => readHeader(head, other), /not signed with the release key/);
  assert.throws(() => readHeader(head.subarray(0, head.length - 1), key), /cut short/);
  assert.throws(() => publicKeyOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' })), /not Ed25519/);
});

test('a signed manifest must still make sense', () => {
  const key = publicKeyOf(pem);
  for (const bad of [
    { ...manifest, version: '1.2' },
    { ...manifest, arch: 'ia32' },
    { ...manifest, size: 0 },
    { ...manifest, sha256: 'x' },
  ]) {
    assert.throws(() => readHeader(signedHeader(bad as UpdateManifest, pem), key), /no valid version/);
  }
});

test('versions compare by their numbers, a pre-release before its release', () => {
  assert.ok(compareVersions('0.10.0', '0.9.9') > 0);
  assert.ok(compareVersions('1.0.0-rc.1', '1.0.0') < 0);
  assert.equal(compareVersions('2.3.4', '2.3.4'), 0);
  assert.ok(compareVersions('0.1.0', '0.1.1') < 0);
});

test("the ELF header's machine: this machine's own executable, and not a script", () => {
  assert.equal(elfArch(readFileSync(process.execPath).subarray(0, 64)), process.arch);
  assert.equal(elfArch(Buffer.from('#!/bin/sh\necho hello world, not an executable\n')), null);
});
