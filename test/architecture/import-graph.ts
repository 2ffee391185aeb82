// The import graph of src/: which file imports which, read from the source text (type imports
// included: a folder that needs another's types depends on it too), and the folder each file
// belongs to. A folder is a top-level directory of src/; a file directly in src/ is its own part.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface ImportEdge {
  from: string; // paths relative to src/
  to: string;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\b[^'"]*?\bfrom\s*'(\.[^']+)'|\bimport\(\s*'(\.[^']+)'\s*\)/g;

// Every import between src/ files, test files left out.
export function importEdges(srcDir: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of readdirSync(srcDir, { recursive: true, encoding: 'utf8' })) {
    if (!/\.tsx?$/.test(file) || /\.test\.tsx?$/.test(file)) continue;
    const text = readFileSync(path.join(srcDir, file), 'utf8');
    for (const m of text.matchAll(IMPORT)) {
      const to = path.normalize(path.join(path.dirname(file), m[1] ?? m[2]));
      if (!to.startsWith('..')) edges.push({ from: file, to });
    }
  }
  return edges;
}

export function folderOf(file: string): string {
  const i = file.indexOf('/');
  return i < 0 ? file : file.slice(0, i);
}

// Groups of folders that import each other round a cycle (Tarjan's strongly connected
// components), each with the file imports that close it.
export function folderCycles(edges: ImportEdge[]): { folders: string[]; imports: ImportEdge[] }[] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    const a = folderOf(e.from);
    const b = folderOf(e.to);
    if (a === b) continue;
    if (!next.has(a)) next.set(a, new Set());
    if (!next.has(b)) next.set(b, new Set());
    next.get(a)!.add(b);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const groups: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        group.push(w);
      } while (w !== v);
      if (group.length > 1) groups.push(group.sort());
    }
  };
  for (const v of next.keys()) if (!index.has(v)) visit(v);
  return groups.map((folders) => ({
    folders,
    imports: edges.filter((e) => folders.includes(folderOf(e.from)) && folders.includes(folderOf(e.to)) && folderOf(e.from) !== folderOf(e.to)),
  }));
}
