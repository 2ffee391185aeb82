import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Address } from './types.ts';
import { MISSING_DOMAIN, MISSING_MAILBOX, addressSpecs, headerAddressSpecs, mailboxList, parseAddressList } from './address.ts';

const a = (name: string | null, adl: string | null, mailbox: string | null, host: string | null): Address => ({
  name,
  adl,
  mailbox,
  host,
});
const groupEnd = a(null, null, null, null);

test('RFC 5322 3.4 address forms', () => {
  const cases: [string, Address[]][] = [
    ['user@example.test', [a(null, null, 'user', 'example.test')]],
    ['<user@example.test>', [a(null, null, 'user', 'example.test')]],
    ['John Doe <john@example.test>', [a('John Doe', null, 'john', 'example.test')]],
    ['"Doe, John" <john@example.test>', [a('Doe, John', null, 'john', 'example.test')]],
    ['"a \\"quoted\\" name" <q@x.test>', [a('a "quoted" name', null, 'q', 'x.test')]],
    ['John Q. Public <jqp@x.test>', [a('John Q. Public', null, 'jqp', 'x.test')]],
    ['=?utf-8?q?J=C3=B6rg?= <j@x.test>', [a('=?utf-8?q?J=C3=B6rg?=', null, 'j', 'x.test')]],
    ['user@example.test (Real Name)', [a('Real Name', null, 'user', 'example.test')]],
    ['Name (comment) <n@x.test> (trailing)', [a('Name', null, 'n', 'x.test')]],
    ['"john doe"@example.test', [a(null, null, 'john doe', 'example.test')]],
    ['user@[192.0.2.1]', [a(null, null, 'user', '[192.0.2.1]')]],
    // RFC 5322 4.4 obsolete: CFWS around dots, routes
    ['john . doe @ example . test', [a(null, null, 'john.doe', 'example.test')]],
    ['<@a.test,@b.test:user@c.test>', [a(null, '@a.test,@b.test', 'user', 'c.test')]],
    ['Routed <@a.test:user@c.test>', [a('Routed', '@a.test', 'user', 'c.test')]],
    ['a@x.test, B <b@y.test>,c@z.test', [a(null, null, 'a', 'x.test'), a('B', null, 'b', 'y.test'), a(null, null, 'c', 'z.test')]],
  ];
  for (const [input, expected] of cases) assert.deepEqual(parseAddressList(input), expected, input);
});

test('RFC 5322 3.4 groups as IMAP start and end markers', () => {
  const cases: [string, Address[]][] = [
    ['Undisclosed recipients:;', [a(null, null, 'Undisclosed recipients', null), groupEnd]],
    ['undisclosed-recipients: ;', [a(null, null, 'undisclosed-recipients', null), groupEnd]],
    [
      'Team: a@x.test, "B" <b@x.test>; c@x.test',
      [a(null, null, 'Team', null), a(null, null, 'a', 'x.test'), a('B', null, 'b', 'x.test'), groupEnd, a(null, null, 'c', 'x.test')],
    ],
    // a group missing its ";" is closed at the end
    ['Open: a@x.test', [a(null, null, 'Open', null), a(null, null, 'a', 'x.test'), groupEnd]],
    ['"Quoted group": ;', [a(null, null, 'Quoted group', null), groupEnd]],
  ];
  for (const [input, expected] of cases) assert.deepEqual(parseAddressList(input), expected, input);
});

test('missing parts and garbage never throw and use placeholders', () => {
  const cases: [string, Address[]][] = [
    ['', []],
    ['   ', []],
    [',,, ,', []],
    ['localonly', [a(null, null, 'localonly', MISSING_DOMAIN)]],
    ['John Doe', [a('John Doe', null, MISSING_MAILBOX, MISSING_DOMAIN)]],
    ['<>', [a(null, null, MISSING_MAILBOX, MISSING_DOMAIN)]],
    ['<user@>', [a(null, null, 'user', MISSING_DOMAIN)]],
    ['@example.test', [a(null, null, MISSING_MAILBOX, 'example.test')]],
    ['@@@', [a(null, null, MISSING_MAILBOX, MISSING_DOMAIN)]],
    ['Name <unclosed@x.test', [a('Name', null, 'unclosed', 'x.test')]],
    ['"unterminated <u@x.test>', [a(null, null, 'unterminated <u@x.test>', MISSING_DOMAIN)]],
    ['(only a comment)', []],
    ['a@x.test (unclosed comment', [a('unclosed comment', null, 'a', 'x.test')]],
  ];
  for (const [input, expected] of cases) assert.deepEqual(parseAddressList(input), expected, input);
});

test('random garbage never throws', () => {
  const alphabet = '<>@,;:"()[]\\ \t\r\nab.=?';
  let seed = 7;
  for (let round = 0; round < 2000; round++) {
    let s = '';
    const len = round % 40;
    for (let i = 0; i < len; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      s += alphabet[seed % alphabet.length];
    }
    const list = parseAddressList(s);
    for (const addr of list) {
      // a NIL host is only ever a group marker
      if (addr.host === null) assert.ok(addr.name === null && addr.adl === null, s);
    }
    addressSpecs(s);
  }
});

test('addressSpecs: plain addr-specs for SMTP, group members included, incomplete ones left out', () => {
  assert.deepEqual(addressSpecs('Alice <alice@example.test>'), ['alice@example.test']);
  assert.deepEqual(addressSpecs('Team: a@x.test, b@x.test;, c@y.test'), ['a@x.test', 'b@x.test', 'c@y.test']);
  assert.deepEqual(addressSpecs('"john doe"@example.test'), ['"john doe"@example.test']);
  assert.deepEqual(addressSpecs('"a\\"b"@x.test'), ['"a\\"b"@x.test']);
  assert.deepEqual(addressSpecs('local, John Doe, <>'), []);
  assert.deepEqual(addressSpecs(''), []);
});

test('mailboxList decodes display names', () => {
  assert.deepEqual(mailboxList('=?utf-8?q?J=C3=B6rg?= <j@x.test>, k@x.test'), [
    { name: 'J\u00f6rg', address: 'j@x.test' },
    { name: null, address: 'k@x.test' },
  ]);
});

test('hostile sizes stay bounded', () => {
  const many = Array.from({ length: 20000 }, (_, i) => `u${i}@x.test`).join(',');
  assert.equal(parseAddressList(many).length, 10000);
});

test('headerAddressSpecs reads the header of a raw message only', () => {
  const raw = Buffer.from('Subject: x\r\nFrom: A <a@x.test>,\r\n b@x.test\r\nfrom: c@x.test\r\n\r\nFrom: body@x.test\r\n');
  assert.deepEqual(headerAddressSpecs(raw, 'From'), ['a@x.test', 'b@x.test', 'c@x.test']);
  assert.deepEqual(headerAddressSpecs(raw, 'Sender'), []);
  assert.deepEqual(headerAddressSpecs(Buffer.alloc(0), 'From'), []);
});
