// Remembers recent successful logins so that a mail client's frequent reconnects do not each pay
// a memory-hard hash (~0.5 s and several MiB on a Pi Zero). Like Dovecot's auth_cache: an entry
// holds an HMAC of the password under a key that lives only in this process, the stored hash it
// was checked against (a password change invalidates it), and an expiry. Failures are never
// cached, so the throttle sees every wrong guess.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export class CredentialCache {
  private key = randomBytes(32);
  private entries = new Map<string, { mac: Buffer; storedHash: string; expires: number }>();
  private ttlMs: number;
  private max: number;

  constructor(ttlMs = 60 * 60_000, max = 1000) {
    this.ttlMs = ttlMs;
    this.max = max;
  }

  // True when this password was verified against this stored hash within the TTL.
  hit(address: string, password: string, storedHash: string, now = Date.now()): boolean {
    const e = this.entries.get(address);
    if (!e) return false;
    if (e.expires <= now || e.storedHash !== storedHash) {
      this.entries.delete(address);
      return false;
    }
    return timingSafeEqual(e.mac, this.mac(address, password));
  }

  remember(address: string, password: string, storedHash: string, now = Date.now()): void {
    this.entries.delete(address);
    this.entries.set(address, { mac: this.mac(address, password), storedHash, expires: now + this.ttlMs });
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  private mac(address: string, password: string): Buffer {
    return createHmac('sha256', this.key).update(address).update('\0').update(password).digest();
  }
}
