import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePath } from './address.ts';
import { parsePathCommand } from '../smtpserver/command-line.ts';

const rcpt = { nullAllowed: false, postmasterAllowed: true, utf8: false };
const mail = { nullAllowed: true, postmasterAllowed: false, utf8: false };

// [input, expected local, expected domain, quoted] — grouped by grammar rule (RFC 5321 4.1.2).
const valid: [string, string, string, boolean][] = [
  ['<user@example.test>', 'user', 'example.test', false], // Dot-string
  ['<first.last@example.test>', 'first.last', 'example.test', false],
  ["<o'hara+tag@example.test>", "o'hara+tag", 'example.test', false], // atext
  ['<USER@EXAMPLE.TEST>', 'USER', 'EXAMPLE.TEST', false], // case kept as written
  ['<user%remote.example@example.test>', 'user%remote.example', 'example.test', false], // "%" is atext
  ['<remote.example!user@example.test>', 'remote.example!user', 'example.test', false], // "!" is atext
  ['<"quoted@remote.example"@example.test>', 'quoted@remote.example', 'example.test', true], // Quoted-string
  ['<"a\\"b"@example.test>', 'a"b', 'example.test', true], // quoted-pairSMTP
  ['<"with space"@example.test>', 'with space', 'example.test', true],
  ['<user@[192.0.2.1]>', 'user', '[192.0.2.1]', false], // IPv4-address-literal
  ['<user@[IPv6:2001:db8::1]>', 'user', '[IPv6:2001:db8::1]', false], // IPv6-address-literal
  ['<@relay.example,@other.example:user@example.test>', 'user', 'example.test', false], // A-d-l, ignored
  ['<user@sub-domain.example-1.test>', 'user', 'sub-domain.example-1.test', false], // Ldh-str
];

const invalid: string[] = [
  'user@example.test', // no brackets
  '<user@example.test', // unterminated
  '<>', // null not allowed for RCPT
  '<user>', // no domain
  '<user@>', // empty domain
  '<@example.test>', // empty local part
  '<user@example.test.>', // trailing dot
  '<user@example..test>', // empty label
  '<user.@example.test>', // dot at the end of the local part
  '<.user@example.test>', // dot at the start
  '<us..er@example.test>', // consecutive dots
  '<user@-example.test>', // label starts with a hyphen
  '<user@example-.test>', // label ends with a hyphen
  '<user@exa_mple.test>', // "_" is not in Ldh-str
  '<user@remote.example@example.test>', // two "@" unquoted
  '<user@[192.0.2.256]>', // not an IPv4 address
  '<user@[foo:bar]>', // General-address-literal
  '<user@[IPv6:zz::1]>', // not an IPv6 address
  '<@relay.example:>', // source route without a mailbox
  '<@relay.example user@example.test>', // source route without ":"
  '<relay.example:user@example.test>', // route without "@"
  '<"unterminated@example.test>',
  '<"bad\x01char"@example.test>', // control character in qtext
  '<user\x00@example.test>',
  '<usér@example.test>', // non-ASCII without SMTPUTF8
  '<user@exämple.test>',
  `<${'a'.repeat(65)}@example.test>`, // local part over 64 octets
  `<user@${'a'.repeat(64)}.test>`, // label over 63 octets
  `<user@${'a.'.repeat(126)}test>`, // domain over 255 octets
  '<user@example.test >', // space inside the path
];

test('RFC 5321 paths: valid forms', () => {
  for (const [input, local, domain, quoted] of valid) {
    const p = parsePath(input, rcpt);
    assert.equal(p.kind, 'mailbox', input);
    if (p.kind !== 'mailbox') continue;
    assert.equal(p.mailbox.local, local, input);
    assert.equal(p.mailbox.domain, domain, input);
    assert.equal(p.mailbox.quoted, quoted, input);
  }
});

test('RFC 5321 paths: invalid forms are refused', () => {
  for (const input of invalid) assert.throws(() => parsePath(input, rcpt), { name: 'AddressSyntaxError' }, JSON.stringify(input));
});

test('null path, Postmaster, A-labels, literals and canonical text', () => {
  assert.deepEqual(parsePath('<>', mail), { kind: 'null' });
  assert.deepEqual(parsePath('<Postmaster>', rcpt), { kind: 'postmaster' });
  assert.throws(() => parsePath('<postmaster>', mail)); // only RCPT TO
  const p = parsePath('<User@Example.TEST>', rcpt);
  assert.ok(p.kind === 'mailbox' && p.mailbox.asciiDomain === 'example.test');
  const lit = parsePath('<user@[192.0.2.1]>', rcpt);
  assert.ok(lit.kind === 'mailbox' && lit.mailbox.asciiDomain === null);
  const q = parsePath('<"plain"@example.test>', rcpt);
  assert.ok(q.kind === 'mailbox' && q.mailbox.address === 'plain@example.test', 'needless quotes dropped in canonical text');
  const q2 = parsePath('<"a@b"@example.test>', rcpt);
  assert.ok(q2.kind === 'mailbox' && q2.mailbox.address === '"a@b"@example.test');
  const route = parsePath('<@a.example,@b.example:u@example.test>', rcpt);
  assert.ok(route.kind === 'mailbox' && route.route.join() === 'a.example,b.example');
});

test('RFC 6531: UTF-8 local parts and U-labels only with SMTPUTF8', () => {
  const utf8 = { ...rcpt, utf8: true };
  const p = parsePath('<jürgen@bücher.example>', utf8);
  assert.ok(p.kind === 'mailbox');
  assert.equal(p.kind === 'mailbox' && p.mailbox.asciiDomain, 'xn--bcher-kva.example');
  assert.equal(p.kind === 'mailbox' && p.mailbox.local, 'jürgen');
  assert.throws(() => parsePath('<jürgen@example.test>', rcpt));
  assert.throws(() => parsePath('<u@-bücher.example>', utf8));
});

test('MAIL FROM / RCPT TO command lines with parameters', () => {
  const m = parsePathCommand('MAIL FROM:<a@example.test> SIZE=1000 BODY=8BITMIME', 'MAIL FROM', () => false);
  assert.deepEqual(m.params, { SIZE: '1000', BODY: '8BITMIME' });
  const spaced = parsePathCommand('mail from: <a@example.test>', 'MAIL FROM', () => false);
  assert.equal(spaced.path.kind, 'mailbox');
  const u = parsePathCommand('MAIL FROM:<ü@bücher.example> SMTPUTF8', 'MAIL FROM', (p) => p.SMTPUTF8 === true);
  assert.equal(u.path.kind, 'mailbox');
  const gt = parsePathCommand('RCPT TO:<"a>b"@example.test>', 'RCPT TO', () => false);
  assert.ok(gt.path.kind === 'mailbox' && gt.path.mailbox.local === 'a>b');
  for (const bad of [
    'MAIL FROM:<a@example.test>SIZE=1',
    'MAIL FROM:<a@example.test>  SIZE=1',
    'MAIL FROM:a@example.test',
    'MAIL TO:<a@example.test>',
    'MAIL FROM:<a@example.test> SIZE=1 SIZE=2',
    'MAIL FROM:<a@example.test> -X=1',
  ]) {
    assert.throws(() => parsePathCommand(bad, 'MAIL FROM', () => false), Error, bad);
  }
});
