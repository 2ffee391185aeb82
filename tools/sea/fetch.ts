// Packages from the npm registry, fetched with `npm pack` into .cache/sea/ (never installed into
// node_modules) and checked against a known sha512 before anything is taken out of them.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

export interface PackageRef {
  name: string; // '@lmdb/lmdb-linux-arm64'
  version: string;
  integrity: string; // 'sha512-<base64>', as in package-lock.json
}

// npm's tarball name: '@scope/name' -> 'scope-name-VERSION.tgz'.
function tarballName(p: PackageRef): string {
  return `${p.name.replace(/^@/, '').replace('/', '-')}-${p.version}.tgz`;
}

function integrityOf(file: string): string {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

// The verified tarball in cacheDir, fetched when missing.
export function fetchPackage(p: PackageRef, cacheDir: string): string {
  mkdirSync(cacheDir, { recursive: true });
  const file = path.join(cacheDir, tarballName(p));
  if (!existsSync(file)) {
    // Into a folder of this process's own, then renamed: two builds may fetch at once.
    const tmp = path.join(cacheDir, `.pack-${process.pid}`);
    mkdirSync(tmp, { recursive: true });
    execFileSync('npm', ['pack', '--silent', '--pack-destination', tmp, `${p.name}@${p.version}`], { stdio: ['ignore', 'ignore', 'inherit'] });
    renameSync(path.join(tmp, tarballName(p)), file);
    rmSync(tmp, { recursive: true, force: true });
  }
  const actual = integrityOf(file);
  if (actual !== p.integrity) {
    rmSync(file);
    throw new Error(`${p.name}@${p.version}: integrity ${actual}, expected ${p.integrity}`);
  }
  return file;
}

// One file out of a package tarball ('package/bin/node'), extracted once into dir.
export function extractFile(tarball: string, member: string, dir: string): string {
  const out = path.join(dir, member);
  if (existsSync(out)) return out;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', tmp, member]);
  mkdirSync(path.dirname(out), { recursive: true });
  renameSync(path.join(tmp, member), out);
  rmSync(tmp, { recursive: true, force: true });
  return out;
}

// The integrity package-lock.json records for an installed or optional package.
export function lockedPackage(root: string, name: string): PackageRef {
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string; integrity?: string }>;
  };
  const entry = lock.packages[`node_modules/${name}`];
  if (!entry?.version || !entry.integrity) throw new Error(`package-lock.json has no ${name} with an integrity`);
  return { name, version: entry.version, integrity: entry.integrity };
}
