// The setup page's files (the Preact app of web/). The single executable carries them as SEA
// assets "web/<name>" (tools/sea/web.ts); from a checkout, web/ is bundled in memory with
// esbuild on the first request for a page (not at start: every server a test starts would pay
// for it). Nothing is read relative to this file inside the executable.
import { createHash } from 'node:crypto';
import sea from 'node:sea';
import { asset } from '../runtime/sea.ts';
import type { Logger } from '../log/log.ts';

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

// By path: '/index.html', '/app.js' ...
export type AssetTable = ReadonlyMap<string, Asset>;

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  map: 'application/json; charset=utf-8',
};

// A specifier in a variable, not a literal, keeps web/build.ts (and esbuild with it) out of the
// executable's bundle; it is resolved from this file only in a checkout.
const WEB_BUILDER = '../../web/build.ts';

function table(files: Iterable<[string, Uint8Array]>): AssetTable {
  const out = new Map<string, Asset>();
  for (const [name, bytes] of files) {
    const body = Buffer.from(bytes);
    const ext = name.slice(name.lastIndexOf('.') + 1);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    out.set(`/${name}`, { body, type: TYPES[ext] ?? 'application/octet-stream', etag });
  }
  return out;
}

export async function loadAssets(log: Logger): Promise<AssetTable> {
  if (sea.isSea()) {
    const files = sea
      .getAssetKeys()
      .filter((k) => k.startsWith('web/'))
      .map((k) => [k.slice('web/'.length), asset(k)!] as [string, Uint8Array]);
    if (files.length === 0) log.error('admin.no_assets', { message: 'this executable was built without the setup page' });
    return table(files);
  }
  const started = Date.now();
  const { buildWeb } = (await import(WEB_BUILDER)) as typeof import('../../web/build.ts');
  const files = await buildWeb();
  log.info('admin.web_built', { files: files.size, ms: Date.now() - started });
  return table(files);
}
