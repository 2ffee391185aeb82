// The setup page stays small: what a browser downloads (the bundle as served, gzip-compressed)
// within 60 KB, so the page opens quickly from a Pi Zero over Wi-Fi.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { test } from 'node:test';
import { buildWeb } from '../../web/build.ts';

const BUDGET = 60 * 1024;

test('the page, gzip-compressed, is within its 60 KB budget', async () => {
  const files = await buildWeb();
  const sizes = [...files].map(([name, body]) => [name, gzipSync(body, { level: 9 }).length] as const);
  const total = sizes.reduce((n, [, s]) => n + s, 0);
  assert.ok(files.has('app.js') && files.has('app.css') && files.has('index.html'));
  assert.ok(total <= BUDGET, `the page is ${total} bytes gzip-compressed: ${JSON.stringify(sizes)}`);
});
