// A DNS server on 127.0.0.1 (UDP) answering from a table, for tests that go through the system
// resolver (dns.servers) rather than an injected one: MX and A records (RFC 1035 4.1), NXDOMAIN
// for names it does not know, an empty answer for a known name without that type, REFUSED for a
// name marked so (as a resolver that will not recurse for it answers).
import dgram from 'node:dgram';

export interface DnsZone {
  [name: string]: { MX?: { exchange: string; priority: number }[]; A?: string[]; refuse?: boolean };
}

const TYPES = { A: 1, MX: 15 } as const;

function encodeName(name: string): Buffer {
  return Buffer.concat([
    ...name
      .split('.')
      .filter(Boolean)
      .map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])),
    Buffer.from([0]),
  ]);
}

function rr(type: number, rdata: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0); // the question's name (RFC 1035 4.1.4 compression)
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(1, 4); // IN
  head.writeUInt32BE(60, 6);
  head.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([head, rdata]);
}

function answer(query: Buffer, zone: DnsZone): Buffer | null {
  if (query.length < 17 || query.readUInt16BE(4) !== 1) return null;
  const labels: string[] = [];
  let pos = 12;
  while (pos < query.length && query[pos] !== 0) {
    labels.push(query.toString('ascii', pos + 1, pos + 1 + query[pos]));
    pos += query[pos] + 1;
  }
  const end = pos + 5;
  if (end > query.length) return null;
  const qtype = query.readUInt16BE(pos + 1);
  const entry = zone[labels.join('.').toLowerCase()];
  const records: Buffer[] = [];
  if (entry && qtype === TYPES.MX) {
    for (const mx of entry.MX ?? []) records.push(rr(TYPES.MX, Buffer.concat([Buffer.from([mx.priority >> 8, mx.priority & 255]), encodeName(mx.exchange)])));
  }
  if (entry && qtype === TYPES.A) for (const a of entry.A ?? []) records.push(rr(TYPES.A, Buffer.from(a.split('.').map(Number))));
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  // A response, recursion available; RCODE 0, 3 NXDOMAIN or 5 REFUSED (RFC 1035 4.1.1).
  header.writeUInt16BE(0x8180 | (entry?.refuse ? 5 : entry ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  return Buffer.concat([header, query.subarray(12, end), ...records]);
}

export async function startDnsResponder(zone: DnsZone): Promise<{ server: string; queries: number; close(): Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const state = {
    server: `127.0.0.1:${socket.address().port}`,
    queries: 0,
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
  socket.on('message', (msg, from) => {
    state.queries++;
    const reply = answer(msg, zone);
    if (reply) socket.send(reply, from.port, from.address);
  });
  return state;
}
