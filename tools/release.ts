// `make release KEY=PEM`: after make binary built the executables with KEY's public half in them
// (the key the next update must be signed with), each dist/homepost-linux-ARCH is signed into
// dist/homepost-VERSION-linux-ARCH.update (src/update/format.ts; docs/updates.md). Those of the
// architectures built are signed.
// usage: node tools/release.ts --key PRIVATE.pem [--dist DIR]
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ARCHES, elfArch, publicKeyOf, writeUpdateFile } from '../src/update/format.ts';
import { VERSION } from '../src/version.ts';

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  const keyFile = option('--key');
  if (!keyFile) throw new Error('usage: node tools/release.ts --key PRIVATE.pem [--dist DIR]   (make release KEY=PRIVATE.pem)');
  const dist = path.resolve(option('--dist') ?? path.join(import.meta.dirname, '..', 'dist'));
  const privatePem = readFileSync(keyFile);
  // Built into each executable as a SEA asset, so its bytes are in the file.
  const publicPem = Buffer.from(publicKeyOf(privatePem).export({ type: 'spki', format: 'pem' }));
  const arches = ARCHES.filter((arch) => existsSync(path.join(dist, `homepost-linux-${arch}`)));
  if (!arches.length) throw new Error(`no executable in ${dist} (make binary)`);
  for (const arch of arches) {
    const exe = path.join(dist, `homepost-linux-${arch}`);
    const bytes = readFileSync(exe);
    if (elfArch(bytes) !== arch) throw new Error(`${exe} is not a Linux executable for ${arch}`);
    if (!bytes.includes(publicPem)) throw new Error(`${exe} was not built with this key's public half (make release KEY=... builds it so)`);
    const out = path.join(dist, `homepost-${VERSION}-linux-${arch}.update`);
    const m = await writeUpdateFile(exe, out, { version: VERSION, arch }, privatePem);
    process.stdout.write(`${path.relative(process.cwd(), out)}  ${(m.size / 1e6).toFixed(1)} MB  sha256 ${m.sha256}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`release: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
