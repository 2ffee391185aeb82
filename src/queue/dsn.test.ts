import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMessage } from '../mime/parse.ts';
import { buildDsn, type DsnInput } from './dsn.ts';

const original = Buffer.from('From: a@example.test\r\nSubject: hello\r\nMessage-ID: <m1@example.test>\r\n\r\nbody line\r\n');

function input(o: Partial<DsnInput> = {}): DsnInput {
  return {
    hostname: 'mail.example.test',
    sender: 'a@example.test',
    original,
    envid: null,
    ret: null,
    smtpUtf8: false,
    arrivedAt: Date.UTC(2026, 10, 26, 7),
    retryUntil: Date.UTC(2026, 11, 1, 7),
    recipients: [
      {
        address: 'x@remote.example',
        orcpt: null,
        action: 'failed',
        status: '5.1.1',
        remoteMta: 'mx.remote.example',
        diagnostic: '550 5.1.1 No such user',
        lastAttemptAt: Date.UTC(2026, 10, 26, 8),
      },
    ],
    now: new Date(Date.UTC(2026, 10, 26, 8)),
    ...o,
  };
}

test('an RFC 3464 report: three parts, the per-message and per-recipient fields, the header returned', () => {
  const raw = buildDsn(input());
  const text = raw.toString();
  const p = parseMessage(raw);
  assert.equal(`${p.root.type}/${p.root.subtype}`, 'multipart/report');
  assert.deepEqual(
    p.root.params.find(([k]) => k === 'report-type'),
    ['report-type', 'delivery-status'],
  );
  assert.deepEqual(
    p.root.children.map((c) => `${c.type}/${c.subtype}`),
    ['text/plain', 'message/delivery-status', 'text/rfc822-headers'],
  );
  const status = raw.toString('latin1', p.root.children[1].bodyStart, p.root.children[1].end);
  assert.equal(
    status,
    'Reporting-MTA: dns; mail.example.test\r\nArrival-Date: Thu, 26 Nov 2026 07:00:00 +0000\r\n\r\n' +
      'Final-Recipient: rfc822; x@remote.example\r\nAction: failed\r\nStatus: 5.1.1\r\nRemote-MTA: dns; mx.remote.example\r\n' +
      'Diagnostic-Code: smtp; 550 5.1.1 No such user\r\nLast-Attempt-Date: Thu, 26 Nov 2026 08:00:00 +0000\r\n',
  );
  assert.equal(
    raw.toString('latin1', p.root.children[2].bodyStart, p.root.children[2].end),
    'From: a@example.test\r\nSubject: hello\r\nMessage-ID: <m1@example.test>\r\n',
  );
  assert.match(
    text,
    /^From: Mail Delivery System <MAILER-DAEMON@mail\.example\.test>\r\nTo: <a@example\.test>\r\nSubject: Undelivered Mail Returned to Sender\r\n/,
  );
  assert.match(text, /\r\nIn-Reply-To: <m1@example\.test>\r\n/);
  assert.match(text, /\r\nAuto-Submitted: auto-replied\r\n/);
  assert.ok(!text.includes('body line'), 'headers only');
});

test('RET=FULL, ENVID, ORCPT, a delay, and controls that must not break the fields', () => {
  const raw = buildDsn(
    input({
      ret: 'full',
      envid: 'id\r\nInjected: yes',
      recipients: [
        {
          address: 'x@remote.example',
          orcpt: 'rfc822;alias@example.test',
          action: 'delayed',
          status: '4.4.1',
          remoteMta: null,
          diagnostic: '451 4.4.1 connect\r\nfailed',
          lastAttemptAt: null,
        },
      ],
    }),
  );
  const text = raw.toString();
  assert.match(text, /\r\nOriginal-Envelope-Id: id Injected: yes\r\n/);
  assert.match(
    text,
    /\r\nOriginal-Recipient: rfc822; alias@example\.test\r\nFinal-Recipient: rfc822; x@remote\.example\r\nAction: delayed\r\nStatus: 4\.4\.1\r\nDiagnostic-Code: X-Homepost; 451 4\.4\.1 connect failed\r\nWill-Retry-Until: /,
  );
  assert.match(text, /Subject: Delayed Mail \(still being retried\)/);
  const p = parseMessage(raw);
  assert.equal(`${p.root.children[2].type}/${p.root.children[2].subtype}`, 'message/rfc822');
  assert.ok(text.includes('body line'));
});

test('for SMTPUTF8 mail the RFC 6533 types, and 8bit where the content has it', () => {
  const raw = buildDsn(
    input({
      smtpUtf8: true,
      sender: 'jörg@example.test',
      original: Buffer.from('Subject: Grüße\r\n\r\nx\r\n'),
      recipients: [{ ...input().recipients[0], address: 'zoë@remote.example' }],
    }),
  );
  const p = parseMessage(raw);
  assert.deepEqual(
    p.root.children.map((c) => `${c.type}/${c.subtype}`),
    ['text/plain', 'message/global-delivery-status', 'message/global-headers'],
  );
  assert.equal(p.root.children[2].encoding, '8bit');
  assert.match(raw.toString(), /Final-Recipient: utf-8; zoë@remote\.example/);
});
