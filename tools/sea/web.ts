// The setup page inside the single executable: web/ built by web/build.ts into a folder of the
// build, each file a SEA asset "web/<name>" that src/admin/assets.ts serves.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildWeb } from '../../web/build.ts';

// SEA asset key -> file, written under dir.
export async function webAssets(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, bytes] of await buildWeb()) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
    out[`web/${name}`] = file;
  }
  return out;
}
