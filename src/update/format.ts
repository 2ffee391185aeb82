// The update file (docs/updates.md): what `make release` writes and `homepost update` reads.
//
//   homepost-update 1\n                the format line
//   {"version":…,"arch":…,"size":…,"sha256":…}\n   the manifest, one line of JSON
//   BASE64\n                           Ed25519 signature (RFC 8032) of the two lines above
//   the executable, `size` bytes
//
// The signature covers the format line and the manifest, and the manifest names the executable's
// SHA-256: so one signature check and one streamed hash check every byte, and the header is read
// before the executable is. The format line keeps a signature made for anything else from
// passing as one of these.
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';

export const FORMAT_LINE = 'homepost-update 1\n';
// The header is a few hundred bytes; anything longer is not an update file.
export const MAX_HEADER_BYTES = 4096;
export const ARCHES = ['x64', 'arm64'] as const;
export type Arch = (typeof ARCHES)[number];

export interface UpdateManifest {
  version: string;
  arch: Arch;
  size: number;
  sha256: string;
}

export class UpdateError extends Error {
  override name = 'UpdateError';
}

// A release key given as either half: the public key it stands for.
export function publicKeyOf(pem: string | Buffer): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new UpdateError(`the release key is ${key.asymmetricKeyType}, not Ed25519`);
  return key;
}

export function signedHeader(manifest: UpdateManifest, privatePem: string | Buffer): Buffer {
  const key = createPrivateKey(privatePem);
  if (key.asymmetricKeyType !== 'ed25519') throw new UpdateError(`the signing key is ${key.asymmetricKeyType}, not Ed25519`);
  const signed = Buffer.from(`${FORMAT_LINE}${JSON.stringify(manifest)}\n`);
  return Buffer.concat([signed, Buffer.from(`${sign(null, signed, key).toString('base64')}\n`)]);
}

// An update file for `executable` (make release, tools/release.ts; tests make their own).
export async function writeUpdateFile(
  executable: string,
  out: string,
  m: { version: string; arch: Arch },
  privatePem: string | Buffer,
): Promise<UpdateManifest> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(executable), hash);
  const manifest: UpdateManifest = { version: m.version, arch: m.arch, size: statSync(executable).size, sha256: hash.digest('hex') };
  const file = createWriteStream(out, { mode: 0o644 });
  file.write(signedHeader(manifest, privatePem));
  await pipeline(createReadStream(executable), file);
  return manifest;
}

// The manifest from the start of an update file, once its signature verifies with `key`;
// `length` is where the executable starts.
export function readHeader(start: Buffer, key: KeyObject): { manifest: UpdateManifest; length: number } {
  const lines: number[] = [];
  for (let at = 0; lines.length < 3; at++) {
    at = start.indexOf(0x0a, at);
    if (at < 0) throw new UpdateError('not a homepost update file (its header is cut short or too long)');
    lines.push(at + 1);
  }
  if (start.subarray(0, lines[0]).toString('latin1') !== FORMAT_LINE) throw new UpdateError('not a homepost update file');
  const signed = start.subarray(0, lines[1]);
  // Only the canonical spelling: Node's base64 decoder skips what it does not know and ignores the
  // last character's spare bits.
  const text = start.subarray(lines[1], lines[2] - 1).toString('latin1');
  const signature = Buffer.from(text, 'base64');
  if (signature.length !== 64 || signature.toString('base64') !== text || !verify(null, signed, key, signature)) {
    throw new UpdateError('the update is not signed with the release key this executable trusts');
  }
  return { manifest: parseManifest(start.subarray(lines[0], lines[1] - 1).toString('utf8')), length: lines[2] };
}

// Signed, so trusted; still checked, so that a mistake in a release reads as one.
function parseManifest(json: string): UpdateManifest {
  const m = JSON.parse(json) as Partial<UpdateManifest>;
  const ok =
    typeof m.version === 'string' &&
    /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(m.version) &&
    ARCHES.includes(m.arch as Arch) &&
    Number.isSafeInteger(m.size) &&
    (m.size as number) > 0 &&
    typeof m.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(m.sha256);
  if (!ok) throw new UpdateError('the update names no valid version, architecture, size and checksum');
  return m as UpdateManifest;
}

// ELF header (System V ABI): e_ident, then e_type and e_machine (little-endian on both).
const ELF_MACHINE: Record<number, Arch> = { 62: 'x64', 183: 'arm64' };

export function elfArch(head: Buffer): Arch | null {
  if (head.length < 20 || head.readUInt32BE(0) !== 0x7f454c46 || head[4] !== 2 || head[5] !== 1) return null;
  return ELF_MACHINE[head.readUInt16LE(18)] ?? null;
}

// Semantic versions compared by their numbers; a pre-release sorts before its release.
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.split('-', 2) as [string, string | undefined];
    return { nums: core.split('.').map(Number), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if (x.nums[i] !== y.nums[i]) return (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}
