import assert from 'node:assert/strict';
import { createPublicKey, createSign, createVerify, sign, verify } from 'node:crypto';
import { test } from 'node:test';
import { storeWithAccount } from '../../../test/support/temp-store.ts';
import { ensureDkimKeys, rotateDkimKeys } from './keys.ts';
import { dkimTxtRecords } from './txt-record.ts';

test('DKIM keys: made once per local domain (RSA 2048 and Ed25519), kept, published as TXT records', async () => {
  const t = await storeWithAccount();
  try {
    assert.equal(t.store.dkim.get('example.test'), null);
    assert.deepEqual(dkimTxtRecords(t.store.dkim.get('example.test')), []);
    const [a, b] = await Promise.all([ensureDkimKeys(t.store, 'example.test'), ensureDkimKeys(t.store, 'EXAMPLE.test')]);
    assert.deepEqual(a, b, 'one generation for concurrent callers');
    assert.deepEqual(
      a.keys.map((k) => k.algorithm),
      ['rsa-sha256', 'ed25519-sha256'],
    );
    const [rsa, ed] = a.keys;
    assert.equal(createPublicKey({ key: Buffer.from(rsa.publicKey, 'base64'), format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength, 2048);
    assert.equal(Buffer.from(ed.publicKey, 'base64').length, 32, 'RFC 8463 4: the raw key');
    // The published public key verifies what the stored private key signs.
    const rsaSig = createVerify('sha256').update('x');
    const signed = createSign('sha256').update('x').sign(rsa.privateKey);
    assert.ok(rsaSig.verify({ key: Buffer.from(rsa.publicKey, 'base64'), format: 'der', type: 'spki' }, signed));
    const edSig = sign(null, Buffer.from('y'), ed.privateKey);
    const edPublic = createPublicKey({
      key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(ed.publicKey, 'base64')]),
      format: 'der',
      type: 'spki',
    });
    assert.ok(verify(null, Buffer.from('y'), edPublic, edSig));
    const records = dkimTxtRecords(t.store.dkim.get('example.test'));
    assert.deepEqual(
      records.map((r) => r.name),
      [`${rsa.selector}._domainkey.example.test`, `${ed.selector}._domainkey.example.test`],
    );
    assert.equal(records[0].value, `v=DKIM1; k=rsa; p=${rsa.publicKey}`);
    assert.ok(records[0].strings.length > 1 && records[0].strings.every((s) => s.length <= 255) && records[0].strings.join('') === records[0].value);
    assert.equal(records[1].value, `v=DKIM1; k=ed25519; p=${ed.publicKey}`);
    assert.deepEqual(await ensureDkimKeys(t.store, 'example.test'), a, 'kept');
    const rotated = await rotateDkimKeys(t.store, 'example.test');
    assert.notEqual(rotated.keys[0].selector, rsa.selector, 'new keys under new selectors');
    assert.notEqual(rotated.keys[0].publicKey, rsa.publicKey);
    await assert.rejects(ensureDkimKeys(t.store, 'not-local.example'), { code: 'not-found' });
  } finally {
    await t.close();
  }
});
