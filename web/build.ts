// Builds the setup page with esbuild, in memory: app.js (the Preact app of src/, minified) and
// app.css (src/style.css), beside index.html and favicon.svg as they are. The server calls it
// from a checkout (src/admin/assets.ts); the single executable's build writes its output into
// the SEA assets (tools/sea/web.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

const WEB = import.meta.dirname;
// Served as they are.
const STATIC = ['index.html', 'favicon.svg'];

// File name (as served from /) -> contents.
export async function buildWeb(): Promise<Map<string, Uint8Array>> {
  const outdir = path.join(WEB, 'out');
  const result = await esbuild.build({
    entryPoints: [
      { in: path.join(WEB, 'src/main.tsx'), out: 'app' },
      { in: path.join(WEB, 'src/style.css'), out: 'app' },
    ],
    outdir,
    bundle: true,
    write: false,
    format: 'esm',
    // Browsers of the last few years; the page needs nothing newer.
    target: ['chrome109', 'firefox115', 'safari15'],
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files = new Map<string, Uint8Array>();
  for (const name of STATIC) files.set(name, readFileSync(path.join(WEB, name)));
  for (const f of result.outputFiles) files.set(path.relative(outdir, f.path).split(path.sep).join('/'), f.contents);
  // The esbuild service process is not needed again in a server.
  await esbuild.stop();
  return files;
}
