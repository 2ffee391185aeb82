// Outbound delivery to peers that accept: the message arrives byte for byte behind the fields
// homepost adds (DKIM-Signature, Received), both DKIM signatures verify with mailauth against the
// records the store publishes, STARTTLS is used when offered and not needed when not, several
// recipients of a domain share one transaction with an answer each, one connection carries
// several messages within the per-domain limit, and the 8BITMIME/SMTPUTF8 rules apply to peers
// without those extensions. Addresses 127.0.0.20-29.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { dkimVerify } from 'mailauth';
import { parseMessage } from '../../../src/mime/parse.ts';
import { decodePartText } from '../../../src/mime/decode.ts';
import { dkimTxtRecords } from '../../../src/smtp/dkim/txt-record.ts';
import { RawSmtp } from '../harness.ts';
import {
  freePortOn,
  inboxOf,
  parseDsnWithPython,
  startOutbound,
  startPeer,
  submit,
  testSettings,
  until,
  withoutAdded,
  type OutboundServer,
  type Peer,
} from './harness.ts';

const HOSTS = ['127.0.0.20', '127.0.0.21', '127.0.0.22', '127.0.0.23', '127.0.0.24'];
let port: number;
let hp: OutboundServer;
let tlsPeer: Peer; // remote.example: STARTTLS, every extension
let plainPeer: Peer; // plain.example: no STARTTLS
let oldPeer: Peer; // old.example: no 8BITMIME, no SMTPUTF8, no DSN
let rejectPeer: Peer; // picky.example: refuses one recipient, defers another once
let deferredOnce = false;

const mx = (name: string, host: string) => ({ [name]: { MX: [{ exchange: `mx.${name}`, priority: 10 }] }, [`mx.${name}`]: { A: [host] } });

before(async () => {
  port = await freePortOn(HOSTS);
  tlsPeer = await startPeer({ host: HOSTS[0], port, tls: 'starttls' });
  plainPeer = await startPeer({ host: HOSTS[1], port, tls: 'none' });
  oldPeer = await startPeer({ host: HOSTS[2], port, tls: 'starttls', hide: ['8BITMIME', 'SMTPUTF8', 'DSN'] });
  rejectPeer = await startPeer({
    host: HOSTS[3],
    port,
    tls: 'none',
    onRcpt: (a) => {
      if (a === 'nobody@picky.example') return '550 5.1.1 No such user';
      if (a === 'later@picky.example' && !deferredOnce) {
        deferredOnce = true;
        return '451 4.2.1 Try again later';
      }
      return null;
    },
  });
  hp = await startOutbound({
    dns: {
      ...mx('remote.example', HOSTS[0]),
      ...mx('plain.example', HOSTS[1]),
      ...mx('old.example', HOSTS[2]),
      ...mx('picky.example', HOSTS[3]),
      ...mx('xn--bcher-kva.example', HOSTS[2]),
    },
    settings: testSettings(port),
  });
});

after(async () => {
  await hp.close();
  await Promise.all([tlsPeer, plainPeer, oldPeer, rejectPeer].map((p) => p.close()));
});

const DEV = 'dev@example.test';

function message(subject: string, extra = '', body = 'Hello.\r\n'): Buffer {
  return Buffer.from(
    `From: Dev <${DEV}>\r\nTo: someone@remote.example\r\nSubject: ${subject}\r\nDate: Thu, 26 Nov 2026 07:00:00 +0000\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.test>\r\n${extra}\r\n${body}`,
  );
}

// mailauth's verifier, with DNS answered from what the store says to publish.
async function verifyDkim(raw: Buffer) {
  const records = dkimTxtRecords(hp.store.dkim.get('example.test'));
  const resolver = async (name: string, type: string) => {
    const r = records.find((x) => x.name === name.replace(/\.$/, ''));
    if (type === 'TXT' && r) return [r.strings];
    throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
  };
  const result = await dkimVerify(raw, { resolver: resolver as never });
  return result.results.map((r) => ({
    result: r.status.result,
    algo: r.signingHeaders ? (r as { algo?: string }).algo : (r as { algo?: string }).algo,
    domain: r.signingDomain,
  }));
}

test('an accepting peer gets the message byte for byte, signed twice (rsa-sha256, ed25519-sha256), over STARTTLS', async () => {
  const original = message('byte exact', '', '.leading dot\r\n..two\r\nend\r\n');
  const refused = await submit({ port: hp.submission, from: DEV, to: ['someone@remote.example'], auth: [DEV, hp.password] }, original);
  assert.deepEqual(refused, {});
  await until(() => tlsPeer.messages.length === 1, 'delivery to remote.example');
  const got = tlsPeer.messages[0];
  assert.equal(got.from, DEV);
  assert.deepEqual(got.to, ['someone@remote.example']);
  assert.equal(got.secure, true, 'opportunistic STARTTLS was used');
  assert.equal(got.helo, 'mail.example.test');
  const { added, rest } = withoutAdded(got.raw);
  assert.deepEqual(added, ['DKIM-Signature', 'DKIM-Signature', 'Received']);
  assert.ok(rest.equals(original), `sent:\n${original}\ngot:\n${rest}`);
  const results = await verifyDkim(got.raw);
  assert.deepEqual(
    results.map((r) => [r.result, r.algo, r.domain]),
    [
      ['pass', 'rsa-sha256', 'example.test'],
      ['pass', 'ed25519-sha256', 'example.test'],
    ],
  );
  const records = dkimTxtRecords(hp.store.dkim.get('example.test'));
  assert.match(records[0].value, /^v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA/, 'a 2048-bit RSA key');
  assert.match(records[1].value, /^v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=$/);
  assert.ok(records[0].strings.every((s) => s.length <= 255) && records[0].strings.join('') === records[0].value);
  await until(() => hp.store.queue.list().length === 0, 'the entry to go');
});

test('a message from a domain that is not ours is relayed unsigned', async () => {
  const before = tlsPeer.messages.length;
  const original = Buffer.from('From: someone@elsewhere.example\r\nSubject: relayed\r\n\r\nhi\r\n');
  await submit({ port: hp.smtp, from: 'app@example.test', to: ['x@remote.example'] }, original);
  await until(() => tlsPeer.messages.length === before + 1, 'delivery');
  assert.deepEqual(withoutAdded(tlsPeer.messages.at(-1)!.raw).added, ['Received']);
});

test('a peer without STARTTLS gets the message in plaintext (opportunistic TLS)', async () => {
  await submit({ port: hp.smtp, from: DEV, to: ['a@plain.example'] }, message('plaintext'));
  await until(() => plainPeer.messages.length === 1, 'delivery to plain.example');
  assert.equal(plainPeer.messages[0].secure, false);
  assert.ok(withoutAdded(plainPeer.messages[0].raw).rest.equals(message('plaintext')));
});

test('several recipients of one domain: one transaction, an answer each; the refused one bounces, the deferred one follows', async () => {
  const c = await RawSmtp.connect(hp.smtp);
  try {
    await c.reply();
    await c.command('EHLO client.example');
    assert.equal((await c.command(`MAIL FROM:<${DEV}>`)).code, 250);
    for (const r of ['a@picky.example', 'nobody@picky.example', 'later@picky.example', 'b@picky.example'])
      assert.equal((await c.command(`RCPT TO:<${r}>`)).code, 250);
    assert.equal((await c.command('DATA')).code, 354);
    assert.equal((await c.command(`${message('several').toString()}.`)).code, 250);
    await c.command('QUIT');
  } finally {
    c.close();
  }
  await until(() => rejectPeer.messages.length === 2, 'two transactions at picky.example');
  assert.deepEqual(rejectPeer.messages[0].to, ['a@picky.example', 'b@picky.example'], 'one transaction for the domain; the refused ones left out');
  assert.deepEqual(rejectPeer.messages[1].to, ['later@picky.example'], 'the deferred recipient alone, later');
  await until(() => inboxOf(hp.store, DEV).some((m) => m.includes('nobody@picky.example')), 'the bounce');
  const dsn = await parseDsnWithPython(inboxOf(hp.store, DEV).find((m) => m.includes('nobody@picky.example'))!);
  assert.equal(dsn.type, 'multipart/report');
  assert.deepEqual(
    dsn.recipients.map((r) => [r['Final-Recipient'], r.Action, r.Status, r['Remote-MTA'], r['Diagnostic-Code']]),
    [['rfc822; nobody@picky.example', 'failed', '5.1.1', 'dns; mx.picky.example', 'smtp; 550 5.1.1 No such user']],
  );
  await until(() => hp.store.queue.list().length === 0, 'the queue to empty');
});

test('one connection carries several messages; the per-domain limit holds', async () => {
  await hp.store.settings.set('outbound.concurrencyPerDomain', 1);
  await hp.store.settings.set('outbound.idleMs', 3000);
  try {
    const connections = plainPeer.connections;
    const before = plainPeer.messages.length;
    await Promise.all([1, 2, 3, 4].map((n) => submit({ port: hp.smtp, from: DEV, to: [`r${n}@plain.example`] }, message(`reuse ${n}`))));
    await until(() => plainPeer.messages.length === before + 4, 'four deliveries');
    assert.equal(plainPeer.connections - connections, 1, 'one connection for the four messages');
    assert.equal(plainPeer.maxOpen, 1);
  } finally {
    await hp.store.settings.set('outbound.concurrencyPerDomain', undefined);
    await hp.store.settings.set('outbound.idleMs', undefined);
  }
});

test('8BITMIME: to a peer without it the body is converted to 7 bits (RFC 6152), and the signatures cover what is sent', async () => {
  const text = 'Grüße aus Köln – 日本語\r\n';
  const original = Buffer.from(
    `From: ${DEV}\r\nTo: x@old.example\r\nSubject: eight bit\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b1"\r\n\r\n` +
      `--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n${text}--b1\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n\u00ff\u00fe binary\r\n--b1--\r\n`,
    'utf8',
  );
  await submit({ port: hp.smtp, from: DEV, to: ['x@old.example', 'y@remote.example'], mail: ['BODY=8BITMIME'] }, original);
  await until(() => oldPeer.messages.length === 1 && tlsPeer.messages.some((m) => m.to.includes('y@remote.example')), 'both deliveries');
  const old = oldPeer.messages[0];
  assert.equal(old.mailParams.BODY, undefined, 'no BODY=8BITMIME to a peer without it');
  assert.ok(!old.raw.some((b) => b > 0x7f), 'nothing but 7-bit octets');
  const parsed = parseMessage(old.raw);
  const [textPart, binPart] = parsed.root.children;
  assert.equal(textPart.encoding, 'quoted-printable');
  assert.equal(binPart.encoding, 'base64');
  assert.equal(decodePartText(old.raw, textPart), text.replace(/\r\n$/, ''), 'the CRLF before the boundary belongs to it');
  assert.deepEqual(
    (await verifyDkim(old.raw)).map((r) => r.result),
    ['pass', 'pass'],
  );
  const modern = tlsPeer.messages.find((m) => m.to.includes('y@remote.example'))!;
  assert.equal(modern.mailParams.BODY, '8BITMIME');
  assert.ok(withoutAdded(modern.raw).rest.equals(original), 'unchanged for a peer with 8BITMIME');
});

test('SMTPUTF8: a UTF-8 address is never sent to a peer without it (5.6.7); an IDN domain travels as its A-label', async () => {
  const ascii = Buffer.from(`From: ${DEV}\r\nTo: undisclosed-recipients:;\r\nSubject: utf8 envelope\r\n\r\nhi\r\n`);
  await submit({ port: hp.smtp, from: DEV, to: ['jörg@old.example', 'ascii@bücher.example', 'jörg@remote.example'], mail: ['SMTPUTF8'] }, ascii);
  // (smtp-server shows the domain in Unicode; the command line is what was sent)
  await until(
    () => oldPeer.commands.includes('RCPT TO:<ascii@xn--bcher-kva.example>') && oldPeer.messages.some((m) => m.to.includes('ascii@bücher.example')),
    'the IDN delivery',
  );
  assert.ok(!oldPeer.commands.some((c) => /^MAIL FROM:.* SMTPUTF8/i.test(c)), 'never SMTPUTF8 to a peer without it');
  await until(() => tlsPeer.messages.some((m) => m.to.includes('jörg@remote.example')), 'the SMTPUTF8 delivery');
  assert.equal(tlsPeer.messages.find((m) => m.to.includes('jörg@remote.example'))!.mailParams.SMTPUTF8, true);
  const bounce = () => inboxOf(hp.store, DEV).find((m) => m.includes('Subject: utf8 envelope') && m.includes('5.6.7'));
  await until(() => bounce() !== undefined, 'the bounce for jörg@old.example');
  const dsn = await parseDsnWithPython(bounce()!);
  assert.equal(dsn.parts[1], 'message/global-delivery-status', 'RFC 6533 for a message sent with SMTPUTF8');
  assert.deepEqual(
    dsn.recipients.map((r) => [r['Final-Recipient'], r.Status]),
    [['utf-8; jörg@old.example', '5.6.7']],
  );
  assert.ok(!oldPeer.messages.some((m) => m.to.some((t) => t.includes('jörg'))));
});

test('SMTPUTF8: a UTF-8 header is not sent to a peer without it (5.6.9), and goes with SMTPUTF8 where it is offered', async () => {
  const utf8 = Buffer.from(`From: ${DEV}\r\nTo: x@old.example\r\nSubject: Grüße\r\n\r\nhi\r\n`, 'utf8');
  await submit({ port: hp.smtp, from: DEV, to: ['x@old.example', 'z@remote.example'], mail: ['SMTPUTF8', 'BODY=8BITMIME'] }, utf8);
  await until(() => tlsPeer.messages.some((m) => m.to.includes('z@remote.example')), 'the delivery to remote.example');
  assert.equal(tlsPeer.messages.find((m) => m.to.includes('z@remote.example'))!.mailParams.SMTPUTF8, true, 'RFC 6531 3.4: the header needs it');
  const bounce = () => inboxOf(hp.store, DEV).find((m) => m.includes('5.6.9'));
  await until(() => bounce() !== undefined, 'the bounce for x@old.example');
  assert.deepEqual(
    (await parseDsnWithPython(bounce()!)).recipients.map((r) => [r['Final-Recipient'], r.Action, r.Status]),
    [['rfc822; x@old.example', 'failed', '5.6.9']],
  );
  await until(() => hp.store.queue.list().length === 0, 'the queue to empty');
});
