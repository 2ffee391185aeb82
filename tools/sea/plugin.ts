// esbuild plugin for the single executable: what differs between running from a checkout and
// running from one file.
// - lmdb and msgpackr-extract find their native addon with node-gyp-build-optional-packages,
//   which searches folders beside their source and in node_modules. In the bundle that import
//   becomes a function returning src/runtime/sea.ts's loadAddon(NAME): the addon rides as a SEA asset.
// - lmdb reads its compression dictionary with readFileSync(new URL('./dict/dict.txt',
//   import.meta.url)); that expression becomes lmdbDictionary() from the same module.
// - ordered-binary (lmdb's key encoding) builds its string reader with a direct eval that names
//   module variables (`position`, `readString`). Bundled as an ES module its top-level names are
//   hoisted into the bundle's scope and renamed around msgpackr's equal names, and the eval'ed
//   reader then reads the wrong `position` and never ends. Its CommonJS build keeps those names
//   local to a function, where esbuild leaves them alone.
// - Packages our code loads with import() only when a feature is first used (LAZY_PACKAGES) are
//   bundled apart, each into a SEA asset of its own (tools/build-binary.ts), and the import()
//   becomes loadChunk(NAME) from src/runtime/sea.ts. The main script, which Node keeps in memory as a
//   string and whose pages of the executable it reads, is then a quarter of the size.
// - Our own code must not locate files through import.meta (docs/architecture.md: nothing is read relative
//   to the source tree at run time); the build fails if it tries. The one exception,
//   src/offload/worker-url.ts (where the worker thread's script is in a checkout), is replaced:
//   the executable starts its workers from an embedded chunk instead.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Plugin } from 'esbuild';

// The packages whose addon we embed, by their package name.
export const ADDON_PACKAGES = ['lmdb', 'msgpackr-extract'] as const;
// Imported only with import() (src/smtp/mailauth.ts, src/admin/system.ts, src/tls/acme.ts): chunks of their own.
export const LAZY_PACKAGES = ['mailauth', 'systeminformation', 'acme-client'] as const;

const LOADER = 'node-gyp-build-optional-packages';
const LMDB_DICT_READ = /fs\.readFileSync\(\s*new URL\(\s*'\.\/dict\/dict\.txt',\s*import\.meta\.url\.replace\([^)]*\),?\s*\),?\s*\)/g;

export function seaPlugin(root: string): Plugin {
  const runtime = path.join(root, 'src/runtime/sea.ts');
  const src = path.join(root, 'src') + path.sep;
  return {
    name: 'homepost-sea',
    setup(build) {
      build.onResolve({ filter: new RegExp(`^${LOADER}$`) }, (args) => {
        const pkg = ADDON_PACKAGES.find((p) => args.importer.includes(`${path.sep}node_modules${path.sep}${p}${path.sep}`));
        if (!pkg) return { errors: [{ text: `${LOADER} imported by ${args.importer}, whose addon is not embedded (tools/sea/plugin.ts)` }] };
        return { path: pkg, namespace: 'sea-addon' };
      });
      const lazy = new RegExp(`^(${LAZY_PACKAGES.join('|')})$`);
      build.onResolve({ filter: lazy }, (args) => {
        if (args.kind !== 'dynamic-import') {
          return { errors: [{ text: `${args.path} is imported statically by ${args.importer}; it is loaded lazily as a chunk (tools/sea/plugin.ts)` }] };
        }
        return { path: args.path, namespace: 'sea-chunk' };
      });
      build.onResolve({ filter: /^ordered-binary$/ }, (args) => ({
        // require() resolution picks the package's "require" build.
        path: createRequire(args.importer).resolve('ordered-binary'),
      }));

      build.onLoad({ filter: /.*/, namespace: 'sea-addon' }, (args) => ({
        // node-gyp-build's signature: load(dir) -> the addon's exports; dir is ignored here.
        contents: `const { loadAddon } = require(${JSON.stringify(runtime)});\nmodule.exports = () => loadAddon(${JSON.stringify(args.path)});\n`,
        loader: 'js',
        resolveDir: root,
      }));

      build.onLoad({ filter: /.*/, namespace: 'sea-chunk' }, (args) => ({
        contents: `const { loadChunk } = require(${JSON.stringify(runtime)});\nmodule.exports = loadChunk(${JSON.stringify(args.path)});\n`,
        loader: 'js',
        resolveDir: root,
      }));

      build.onLoad({ filter: /[\\/]node_modules[\\/]lmdb[\\/]open\.js$/ }, (args) => {
        const code = readFileSync(args.path, 'utf8');
        const found = code.match(LMDB_DICT_READ)?.length ?? 0;
        if (found !== 1) {
          return { errors: [{ text: `lmdb/open.js reads dict.txt ${found} times in a way tools/sea/plugin.ts does not know; update LMDB_DICT_READ` }] };
        }
        const contents = `import { lmdbDictionary as __homepostLmdbDictionary } from ${JSON.stringify(runtime)};\n${code.replace(LMDB_DICT_READ, '__homepostLmdbDictionary()')}`;
        return { contents, loader: 'js' };
      });

      // The worker thread's script is embedded as a chunk (tools/build-binary.ts): in the
      // executable there is no file to point a Worker at (src/offload/spawn.ts).
      build.onLoad({ filter: /[\\/]src[\\/]offload[\\/]worker-url\.ts$/ }, () => ({
        contents: 'export const workerUrl = null;\n',
        loader: 'ts',
      }));

      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!args.path.startsWith(src)) return undefined;
        const code = readFileSync(args.path, 'utf8');
        if (/\bimport\.meta\b/.test(code.replace(/\/\/.*$/gm, ''))) {
          return { errors: [{ text: `${path.relative(root, args.path)} uses import.meta: the executable has no source tree to find files in` }] };
        }
        return { contents: code, loader: 'ts' };
      });
    },
  };
}
