// The tokenizer: decoded text (quoted-printable, base64, charsets, HTML), header and shape
// tokens, and its bounds on huge and hostile messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../mime/index.ts';
import { READ_LIMITS, readMessage } from './read.ts';
import { MAX_TOKEN_LENGTH, MAX_TOKENS, MAX_WORD, messageTokens, urlHost } from './tokens.ts';

function message(headers: string[], body: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${headers.join('\r\n')}\r\n\r\n`, 'latin1'), Buffer.from(body)]);
}

const plain = (body: string, extra: string[] = []): Buffer => message(['From: A <a@one.example>', 'To: b@two.example', 'Subject: hello', ...extra], body);

test('body words: lowercased, edges trimmed, short words dropped, currency and "!" kept', () => {
  const tokens = messageTokens(plain('Hello, WORLD. (Really) an ox "quoted" $500 free!! 100%\r\n'));
  for (const t of ['hello', 'world', 'really', 'quoted', '$500', 'free!!', '100%']) assert.ok(tokens.includes(t), t);
  assert.ok(!tokens.includes('an') && !tokens.includes('ox'));
  assert.ok(!tokens.some((t) => !t.includes(':') && /[,.()"]/.test(t)), tokens.join(' '));
});

test('quoted-printable, base64 and charsets are decoded before words are cut', () => {
  const qp = messageTokens(
    plain('caf=C3=A9 na=\r\nive\r\n', ['MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable']),
  );
  assert.ok(qp.includes('café') && qp.includes('naive'), qp.join(' '));
  assert.ok(qp.includes('encoding:quoted-printable') && qp.includes('charset:utf-8'));
  const b64 = messageTokens(
    plain(`${Buffer.from('Gr\xfc\xdfe aus K\xf6ln', 'latin1').toString('base64')}\r\n`, [
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: base64',
    ]),
  );
  assert.ok(b64.includes('grüße') && b64.includes('köln'), b64.join(' '));
});

test('HTML parts: tags stripped, links become url tokens, html-only marked', () => {
  const html = `<html><body><p>Claim&nbsp;your <b>prize</b></p><a href="https://win.prize.example/x">here</a><script>hidden()</script></body></html>`;
  const tokens = messageTokens(plain(html, ['Content-Type: text/html; charset=utf-8']));
  for (const t of ['claim', 'your', 'prize', 'here', 'url:win.prize.example', 'url-domain:prize.example', 'url-count:1', 'html-only', 'part:text/html'])
    assert.ok(tokens.includes(t), t);
  assert.ok(!tokens.includes('hidden()') && !tokens.some((t) => t.includes('<')), tokens.join(' '));
});

test('URLs in text give their host, not a word; the host after "user@" is the one used', () => {
  const tokens = messageTokens(plain('see http://paypal.example@evil.example.net:8080/login and www.plain.example/page and http://192.0.2.1/x\r\n'));
  assert.ok(tokens.includes('url:evil.example.net') && tokens.includes('url:www.plain.example') && tokens.includes('url-ip'), tokens.join(' '));
  assert.ok(!tokens.includes('url:paypal.example') && !tokens.some((t) => t.startsWith('http')));
  assert.equal(urlHost('https://[2001:db8::1]:443/'), '[2001:db8::1]');
  assert.equal(urlHost('http://bad_host!/'), null);
});

test('header tokens: subject words (RFC 2047), sender domain and name, recipients, list fields, reply-to', () => {
  const tokens = messageTokens(
    message(
      [
        'From: =?utf-8?Q?J=C3=BCrgen?= News <news@shop.example>',
        'Reply-To: other@elsewhere.example',
        'To: a@x.example, b@x.example',
        'Cc: c@x.example',
        'Subject: =?utf-8?B?R1JFQVQgREVBTFMgVE9EQVk=?=',
        'Message-ID: <123@mta.shop.example>',
        'List-Unsubscribe: <mailto:u@shop.example>',
        'X-Mailer: Mailer/2.0',
      ],
      'text\r\n',
    ),
  );
  for (const t of [
    'subject:great',
    'subject:deals',
    'subject:today',
    'subject:caps',
    'from:shop.example',
    'from-name:jürgen',
    'from-name:news',
    'reply-to:elsewhere.example',
    'to-count:3-5',
    'msgid:mta.shop.example',
    'header:list-unsubscribe',
    'header:reply-to',
    'mailer:mailer',
  ])
    assert.ok(tokens.includes(t), t);
});

test('shape: multipart types, attachments with type and extension, quoted replies', () => {
  const body = [
    '--b',
    'Content-Type: text/plain',
    '',
    'On Monday you wrote:',
    '> the old text',
    '--b',
    'Content-Type: application/pdf; name="invoice.PDF"',
    'Content-Disposition: attachment; filename="invoice.PDF"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('%PDF-1.4 secretword').toString('base64'),
    '--b--',
    '',
  ].join('\r\n');
  const tokens = messageTokens(plain(body, ['MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary=b']));
  for (const t of ['type:multipart/mixed', 'part:application/pdf', 'has-attachment', 'attachment:pdf', 'attachment-type:application/pdf', 'quoted'])
    assert.ok(tokens.includes(t), t);
  assert.ok(!tokens.includes('secretword'), 'attachments are not decoded');
  assert.ok(!messageTokens(plain('no quote here\r\n')).includes('quoted'));
});

test('a word longer than MAX_WORD is one long: token of its length class', () => {
  const tokens = messageTokens(plain(`${'a'.repeat(MAX_WORD + 1)} ${'b'.repeat(57)} ${'c'.repeat(100000)}\r\n`));
  assert.ok(tokens.includes('long:20') && tokens.includes('long:50') && tokens.includes('long:120'), tokens.join(' '));
  assert.ok(!tokens.some((t) => t.length > MAX_WORD + 20));
});

test('bounds: nothing past maxBytes is read, text past maxTextChars is not cut into words', () => {
  // An attachment (never decoded) fills the first maxBytes; a text part follows it.
  const withText = (attachment: number): Buffer =>
    plain(`--b\r\nContent-Type: application/octet-stream\r\n\r\n${'A'.repeat(attachment)}\r\n--b\r\nContent-Type: text/plain\r\n\r\nlastpart\r\n--b--\r\n`, [
      'Content-Type: multipart/mixed; boundary=b',
    ]);
  assert.ok(messageTokens(withText(1000)).includes('lastpart'));
  assert.ok(!messageTokens(withText(READ_LIMITS.maxBytes)).includes('lastpart'));
  const filler = 'filler '.repeat(Math.ceil(READ_LIMITS.maxBytes / 7));
  const text = 'x '.repeat(READ_LIMITS.maxTextChars / 2);
  assert.ok(!messageTokens(plain(`${text}beyondtext\r\n`)).includes('beyondtext'));
  assert.equal(readMessage(plain(filler)).raw.length, READ_LIMITS.maxBytes);
});

test('a parse of the whole message, as delivery has it, gives the same tokens, within the same bounds', () => {
  const small = plain('--b\r\nContent-Type: text/html\r\n\r\n<p>Hello <b>there</b></p>\r\n--b--\r\n', ['Content-Type: multipart/mixed; boundary=b']);
  assert.deepEqual(messageTokens(small, parseMessage(small)), messageTokens(small));
  // A text part, an attachment filling the bytes read, a text part past them.
  const big = plain(
    `--b\r\nContent-Type: text/plain\r\n\r\nfirstpart\r\n--b\r\nContent-Type: application/octet-stream\r\n\r\n${'A'.repeat(READ_LIMITS.maxBytes)}\r\n` +
      '--b\r\nContent-Type: text/plain\r\n\r\nbeyondpart\r\n--b--\r\n',
    ['Content-Type: multipart/mixed; boundary=b'],
  );
  const tokens = messageTokens(big, parseMessage(big));
  assert.ok(tokens.includes('firstpart'));
  assert.ok(!tokens.includes('beyondpart'), tokens.join(' '));
});

test('bounds: at most maxTextParts text parts are read', () => {
  const parts = Array.from({ length: READ_LIMITS.maxTextParts + 4 }, (_, i) => `--b\r\nContent-Type: text/plain\r\n\r\nword${i}x\r\n`).join('');
  const tokens = messageTokens(plain(`${parts}--b--\r\n`, ['Content-Type: multipart/mixed; boundary=b']));
  assert.ok(tokens.includes(`word${READ_LIMITS.maxTextParts - 1}x`));
  assert.ok(!tokens.includes(`word${READ_LIMITS.maxTextParts}x`));
});

test('bounds: a message of a million distinct words gives MAX_TOKENS tokens', () => {
  const words = Array.from({ length: 200000 }, (_, i) => `w${i.toString(36)}z`).join(' ');
  const tokens = messageTokens(plain(words));
  assert.equal(tokens.length, MAX_TOKENS);
  assert.equal(new Set(tokens).size, tokens.length);
});

test('hostile messages: no header end, no body, 10,000 parts, binary noise, a huge content type', () => {
  const noEnd = messageTokens(Buffer.from(`Subject: hello ${'x: '.repeat(100000)}`));
  assert.ok(noEnd.includes('subject:hello'));
  assert.deepEqual(
    messageTokens(Buffer.alloc(0)).filter((t) => !t.includes(':')),
    [],
  );
  const parts = Array.from({ length: 10000 }, (_, i) => `--b\r\n\r\nw${i}x\r\n`).join('');
  const many = messageTokens(plain(parts, ['Content-Type: multipart/mixed; boundary=b']));
  assert.equal(many.filter((t) => /^w\d+x$/.test(t)).length, READ_LIMITS.maxTextParts);
  const noise = Buffer.from(Array.from({ length: 300000 }, (_, i) => (i * 7919) & 0xff));
  assert.ok(messageTokens(noise).length <= MAX_TOKENS);
  const wide = messageTokens(plain('x', [`Content-Type: text/${'z'.repeat(100000)}`]));
  assert.ok(wide.some((t) => t.startsWith('type:text/zzz')));
  assert.ok(
    wide.every((t) => t.length <= MAX_TOKEN_LENGTH),
    'every token is bounded',
  );
});
