// A token's 32-bit hash, the key the classifier's counts are kept under: FNV-1a over the
// token's UTF-16 code units, then MurmurHash3's finalizer so that the low bits a hash table
// indexes by are well mixed. Never 0 (0 marks an empty slot). With 300,000 tokens two of them
// share a hash about ten times in all (birthday bound): noise, not an error.
export function tokenHash(token: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0 || 1;
}
