import assert from 'node:assert/strict';
import { test } from 'node:test';
import { incoming } from '../../../test/smtp/policy-context.ts';
import { dmarcAuthor } from './alignment.ts';

test('dmarcAuthor: the one From address when DMARC passed, with whether DKIM is aligned', () => {
  const pass = { dmarc: 'pass', dkimPass: ['mail.example.org'] };
  assert.deepEqual(dmarcAuthor(incoming({ from: ['Bob <Bob@Example.ORG>'], auth: pass })), {
    address: 'bob@example.org',
    domain: 'example.org',
    dkimAligned: true,
  });
  assert.equal(dmarcAuthor(incoming({ from: ['bob@example.org'], auth: { dmarc: 'pass', spf: 'pass' } }))?.dkimAligned, false);
  assert.equal(dmarcAuthor(incoming({ from: ['bob@example.org'], auth: { ...pass, dmarc: 'fail' } })), null);
  assert.equal(dmarcAuthor(incoming({ from: ['bob@example.org'], auth: null })), null);
  assert.equal(dmarcAuthor(incoming({ from: ['bob@example.org, eve@example.org'], auth: pass })), null);
  assert.equal(dmarcAuthor(incoming({ from: [], auth: pass })), null);
});
