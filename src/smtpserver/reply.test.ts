import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REPLIES, replyError, storeErrorReply, verdictReply } from './reply.ts';

test('verdicts become replies with enhanced codes (RFC 3463)', () => {
  assert.equal(verdictReply({ verdict: 'next' }), null);
  assert.equal(verdictReply({ verdict: 'accept' }), null);
  assert.deepEqual(verdictReply({ verdict: 'reject' }), { code: 550, enhanced: '5.7.1', text: 'Rejected by policy' });
  assert.deepEqual(verdictReply({ verdict: 'tempfail' }), { code: 451, enhanced: '4.3.0', text: 'Temporary failure, try again later' });
  assert.deepEqual(verdictReply({ verdict: 'reject', code: 553, enhanced: '5.7.1', text: 'x' }), { code: 553, enhanced: '5.7.1', text: 'x' });
  assert.throws(() => verdictReply({ verdict: 'reject', code: 451 }));
  assert.throws(() => verdictReply({ verdict: 'tempfail', code: 452, enhanced: '5.2.2' }));
});

test('store failures map to the replies the issue asks for', () => {
  assert.deepEqual(storeErrorReply('full', 'temporary'), REPLIES.storeFull);
  assert.deepEqual([storeErrorReply('full', 'temporary').code, storeErrorReply('full', 'temporary').enhanced], [452, '4.3.1']);
  assert.deepEqual([storeErrorReply('over-quota', 'temporary').code, storeErrorReply('over-quota', 'temporary').enhanced], [452, '4.2.2']);
  assert.deepEqual([storeErrorReply('over-quota', 'permanent').code, storeErrorReply('over-quota', 'permanent').enhanced], [552, '5.2.2']);
  assert.deepEqual([storeErrorReply('closed', 'temporary').code, storeErrorReply('closed', 'temporary').enhanced], [451, '4.3.0']);
  const e = replyError(REPLIES.relayDenied);
  assert.equal(e.responseCode, 554);
  assert.equal(e.message, '5.7.1 Relay access denied');
});
