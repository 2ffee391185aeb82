// HTML as the tokenizer sees it: text without tags, hidden elements and comments, references
// decoded, link targets apart; hostile markup stays bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeReferences, htmlText } from './html.ts';

const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

test('tags go and separate words; script, style, head and comments go with their content', () => {
  const { text } = htmlText(
    '<html><head><title>T</title><style>p{x:1}</style></head><body><p>one<br>two</p><!-- hidden --><SCRIPT>var a="<p>";</SCRIPT>three</body></html>',
  );
  assert.deepEqual(words(text), ['one', 'two', 'three']);
});

test('an end tag of a hidden element does not hide what follows it', () => {
  assert.deepEqual(words(htmlText('a</style>b</head>c').text), ['a', 'b', 'c']);
});

test('character references: named, decimal, hex; invalid code points become a space', () => {
  assert.equal(decodeReferences('caf&eacute; &amp; &#233;&#xE9; &lt;b&gt; &#xD800;x &unknown;'), 'caf&eacute; & éé <b>  x &unknown;');
});

test('href and src targets are links, references in them decoded', () => {
  const { links, text } = htmlText('<a href="https://a.example/x?a=1&amp;b=2">click</a><img src=http://b.example/i.png><a href=\'mailto:x@y\'>m</a>');
  assert.deepEqual(links, ['https://a.example/x?a=1&b=2', 'http://b.example/i.png', 'mailto:x@y']);
  assert.deepEqual(words(text), ['click', 'm']);
});

test('hostile markup: an unclosed script hides the rest, an unclosed tag ends the text, links are bounded', () => {
  assert.deepEqual(words(htmlText(`before<script>${'<script>'.repeat(10000)}after`).text), ['before']);
  assert.deepEqual(words(htmlText(`before<p ${'x'.repeat(100000)}`).text), ['before']);
  assert.deepEqual(words(htmlText(`a<!--${'<!--'.repeat(10000)}`).text), ['a']);
  const many = htmlText('<a href="http://x.example/">x</a>'.repeat(5000));
  assert.equal(many.links.length, 256);
  assert.equal(words(many.text).length, 5000);
});
