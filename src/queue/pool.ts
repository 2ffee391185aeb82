// Outbound connection limits and reuse: at most `perKey` transactions at once to one destination
// (outbound.concurrencyPerDomain) and `total` in all (outbound.maxConnections), waiting work served
// in arrival order; a session that finished cleanly waits idle for outbound.idleMs so the next
// message to the same destination skips connect, greeting, EHLO, STARTTLS and AUTH.
import type { Peer } from './client.ts';

export class SlotsClosed extends Error {}

interface Waiter {
  key: string;
  perKey: number;
  resolve(release: () => void): void;
  reject(e: Error): void;
}

export class Slots {
  private active = new Map<string, number>();
  private total = 0;
  private waiting: Waiter[] = [];
  private closed = false;
  private maxTotal = 1;

  // Resolves with the release function once a slot for `key` is free.
  acquire(key: string, perKey: number, total: number): Promise<() => void> {
    this.maxTotal = total;
    if (this.closed) return Promise.reject(new SlotsClosed('closed'));
    return new Promise((resolve, reject) => {
      this.waiting.push({ key, perKey, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    for (let i = 0; i < this.waiting.length && this.total < this.maxTotal; ) {
      const w = this.waiting[i];
      const n = this.active.get(w.key) ?? 0;
      if (n >= w.perKey) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      this.active.set(w.key, n + 1);
      this.total++;
      let released = false;
      w.resolve(() => {
        if (released) return;
        released = true;
        const left = (this.active.get(w.key) ?? 1) - 1;
        if (left > 0) this.active.set(w.key, left);
        else this.active.delete(w.key);
        this.total--;
        this.drain();
      });
    }
  }

  // Work still waiting for a slot gives up (SlotsClosed); work holding one finishes.
  close(): void {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(new SlotsClosed('closed'));
  }
}

export class IdlePeers {
  private idle = new Map<string, { peer: Peer; timer: NodeJS.Timeout }[]>();
  private closed = false;

  take(key: string): Peer | null {
    const list = this.idle.get(key);
    while (list?.length) {
      const { peer, timer } = list.pop()!;
      if (list.length === 0) this.idle.delete(key);
      clearTimeout(timer);
      if (peer.usable) return peer;
      peer.abort();
    }
    return null;
  }

  put(key: string, peer: Peer, idleMs: number): void {
    if (idleMs <= 0 || this.closed || !peer.usable) {
      peer.quit();
      return;
    }
    const list = this.idle.get(key) ?? [];
    this.idle.set(key, list);
    const item = {
      peer,
      timer: setTimeout(() => {
        const i = list.indexOf(item);
        if (i >= 0) list.splice(i, 1);
        if (list.length === 0 && this.idle.get(key) === list) this.idle.delete(key);
        peer.quit();
      }, idleMs),
    };
    item.timer.unref();
    list.push(item);
  }

  // Says QUIT on every idle session; sessions put back later are closed at once.
  closeAll(): void {
    this.closed = true;
    for (const list of this.idle.values()) {
      for (const { peer, timer } of list) {
        clearTimeout(timer);
        peer.quit();
      }
    }
    this.idle.clear();
  }
}
