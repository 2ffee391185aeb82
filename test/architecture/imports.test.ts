// The layering docs/architecture.md draws, checked: no two folders of src/ import each other, not
// even round a longer cycle; and what `homepost` loads before it has parsed its command line
// never loads lmdb or the Store (in the single executable, loading lmdb unpacks its native addon
// into the data folder, which is known only then). Pure helpers of src/store that import neither
// (normal forms of names, record predicates) may be loaded. The second check reads esbuild's own
// import graph of the bundle the executable is built from, so it sees exactly what runs.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import * as esbuild from 'esbuild';
import { ROOT } from '../support/serve-child.ts';
import { folderCycles, importEdges } from './import-graph.ts';

const SRC = path.join(ROOT, 'src');

test('no import cycle between the folders of src/', () => {
  const cycles = folderCycles(importEdges(SRC));
  const report = cycles.map((c) => `${c.folders.join(' <-> ')}:\n${c.imports.map((e) => `  ${e.from} -> ${e.to}`).join('\n')}`);
  assert.deepEqual(report, []);
});

test('the cycle check sees a cycle when there is one', () => {
  const cycles = folderCycles([
    { from: 'a/x.ts', to: 'b/y.ts' },
    { from: 'b/y.ts', to: 'c/z.ts' },
    { from: 'c/z.ts', to: 'a/w.ts' },
    { from: 'c/z.ts', to: 'd/v.ts' },
  ]);
  assert.deepEqual(
    cycles.map((c) => c.folders),
    [['a', 'b', 'c']],
  );
  assert.equal(cycles[0].imports.length, 3);
});

// The modules that load lmdb or open a data folder.
const OPENS_STORE = ['node_modules/lmdb/', 'src/store/open.ts', 'src/store/store.ts', 'src/store/index.ts', 'src/store/context.ts'];

test("main.ts's static imports never load lmdb or the Store (only dynamic imports after the options are parsed may)", async () => {
  const result = await esbuild.build({
    entryPoints: [path.join(SRC, 'main.ts')],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  const inputs = result.metafile.inputs;
  const start = path.relative(process.cwd(), path.join(SRC, 'main.ts'));
  // Breadth-first over static imports only, remembering how each file was reached.
  const via = new Map<string, string | null>([[start, null]]);
  const queue = [start];
  while (queue.length) {
    const file = queue.shift()!;
    for (const i of inputs[file]?.imports ?? []) {
      if (i.external || i.kind === 'dynamic-import' || via.has(i.path)) continue;
      via.set(i.path, file);
      queue.push(i.path);
    }
  }
  assert.ok(via.size > 5, `the walk found main.ts's imports (${via.size} files)`);
  assert.ok(
    [...via.keys()].some((f) => f.startsWith('src/store/')),
    'the walk sees the store helpers the commands use',
  );
  const store = [...via.keys()].filter((f) => OPENS_STORE.some((m) => f.includes(m)));
  const chains = store.map((f) => {
    const chain = [f];
    for (let p = via.get(f); p; p = via.get(p)) chain.unshift(p);
    return chain.join(' -> ');
  });
  assert.deepEqual(chains, []);
});
