// The control socket's wire protocol and life cycle, spoken to directly over node:net.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LoginGate } from '../../src/auth/login.ts';
import { parseServeOptions } from '../../src/config/options.ts';
import { MAX_REQUEST_BYTES, socketPath } from '../../src/control/protocol.ts';
import { createControlService } from '../../src/control/server.ts';
import { silentLogger } from '../../src/log/log.ts';
import { MemoryBudget } from '../../src/memory/budget.ts';
import { WorkerPool } from '../../src/offload/pool.ts';
import type { ServiceContext } from '../../src/service/context.ts';
import type { JunkService } from '../../src/junk/service.ts';
import type { TlsManager } from '../../src/tls/manager.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { openTempStore, tempDir } from '../support/temp-store.ts';

// A line-oriented client: send lines, collect the JSON responses.
function connect(file: string) {
  const socket = net.connect(file);
  const lines: unknown[] = [];
  const waiters: (() => void)[] = [];
  let buffer = '';
  let closed = false;
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => {
    buffer += d;
    for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
      lines.push(JSON.parse(buffer.slice(0, nl)));
      buffer = buffer.slice(nl + 1);
    }
    for (const w of waiters.splice(0)) w();
  });
  socket.on('close', () => {
    closed = true;
    for (const w of waiters.splice(0)) w();
  });
  return {
    socket,
    send: (text: string) => socket.write(text),
    async read(n: number): Promise<unknown[]> {
      while (lines.length < n && !closed) await new Promise<void>((r) => waiters.push(r));
      return lines.splice(0, n);
    },
    closed: () => closed,
  };
}

describe('control socket protocol', () => {
  let server: TestServer;
  let file: string;
  before(async () => {
    server = await startTestServer({ starters: [createControlService()] });
    file = socketPath(server.dataDir);
  });
  after(() => server.close());

  test('responses carry the request id; overlapping requests are all answered', async () => {
    const c = connect(file);
    c.send(
      JSON.stringify({ id: 'a', method: 'domain.list' }) +
        '\n' +
        JSON.stringify({ id: 2, method: 'user.list', params: {} }) +
        '\n' +
        JSON.stringify({ id: 3, method: 'domain.add', params: { domain: 'example.net' } }) +
        '\n',
    );
    const got = (await c.read(3)) as { id: unknown; result: unknown }[];
    const byId = new Map(got.map((r) => [r.id, r.result]));
    assert.deepEqual(
      (byId.get('a') as { name: string }[]).map((d) => d.name),
      ['example.test'],
    );
    assert.deepEqual(
      (byId.get(2) as { address: string }[]).map((a) => a.address),
      ['dev@example.test'],
    );
    assert.equal((byId.get(3) as { name: string }).name, 'example.net');
    c.socket.end();
  });

  test('bad requests get an error and the connection goes on', async () => {
    const c = connect(file);
    c.send('this is not json\n');
    c.send('{"method":"user.list"}\n');
    c.send('{"id":1,"method":"user.steal"}\n');
    c.send('{"id":2,"method":"user.add","params":["a"]}\n');
    c.send('{"id":3,"method":"user.add","params":{"address":"x@example.test"}}\n');
    c.send('{"id":4,"method":"domain.del","params":{"domain":"nowhere.test"}}\n');
    c.send('\n{"id":5,"method":"domain.list"}\n');
    const got = (await c.read(7)) as { id: number | null }[];
    // Answers come as each finishes (the write of id 4 after the read of id 5): order by id.
    const sorted = got.sort((a, b) => (a.id ?? -1) - (b.id ?? -1));
    assert.deepEqual(sorted.slice(0, 6), [
      { id: null, error: { code: 'bad-json', message: 'a request is one JSON object per line' } },
      { id: null, error: { code: 'bad-request', message: 'a request needs an id and a method' } },
      { id: 1, error: { code: 'unknown-method', message: 'no method user.steal' } },
      { id: 2, error: { code: 'bad-request', message: 'params must be an object' } },
      { id: 3, error: { code: 'bad-request', message: 'password is required' } },
      { id: 4, error: { code: 'not-found', message: 'no domain nowhere.test' } },
    ]);
    assert.equal(sorted[6].id, 5);
    c.socket.end();
  });

  test('a request over the size limit is refused and the connection closed; the daemon goes on', async () => {
    const c = connect(file);
    c.send(`{"id":1,"method":"user.list","params":{"pad":"${'x'.repeat(MAX_REQUEST_BYTES)}"}}\n`);
    const [r] = await c.read(1);
    assert.equal((r as { error: { code: string } }).error.code, 'request-too-large');
    await c.read(1);
    assert.ok(c.closed());
    const d = connect(file);
    d.send('{"id":1,"method":"domain.list"}\n');
    assert.equal(((await d.read(1))[0] as { id: number }).id, 1);
    d.socket.end();
  });

  test('a second daemon on the same data folder is refused', async () => {
    await assert.rejects(createControlService()(server.context), /another homepost is running/);
    assert.ok(statSync(file).isSocket());
  });
});

describe('control socket life cycle', () => {
  const contextFor = (dataDir: string, store: ServiceContext['store']): ServiceContext => ({
    options: parseServeOptions(['--data', dataDir], {}),
    store,
    tls: {} as TlsManager,
    logins: new LoginGate({ log: silentLogger }),
    budget: new MemoryBudget(),
    offload: new WorkerPool({ log: silentLogger }),
    junk: {} as JunkService,
    log: silentLogger,
    startedAt: Date.now(),
    listeners: [],
    restart: null,
  });

  test('a socket left by a dead daemon is replaced; close removes the socket', async () => {
    const t = await openTempStore();
    const file = socketPath(t.dir);
    // A socket nobody listens on any more, as a killed daemon leaves it.
    execFileSync('python3', ['-c', 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', file]);
    assert.ok(statSync(file).isSocket());
    const [listener] = await createControlService()(contextFor(t.dir, t.store));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const c = connect(file);
    c.send('{"id":1,"method":"domain.list"}\n');
    assert.deepEqual(await c.read(1), [{ id: 1, result: [] }]);
    await listener.close();
    assert.equal(existsSync(file), false);
    await c.read(1);
    assert.ok(c.closed());
    await t.close();
  });

  test('something else at the socket path, or a path too long for a socket, is refused', async () => {
    const t = await openTempStore();
    writeFileSync(socketPath(t.dir), 'not a socket');
    await assert.rejects(createControlService()(contextFor(t.dir, t.store)), /is not a socket; move it away/);
    const deep = path.join(tempDir(), 'd'.repeat(100));
    mkdirSync(deep);
    await assert.rejects(createControlService()(contextFor(deep, t.store)), /longer than 107 bytes; choose a shorter --data path/);
    rmSync(path.dirname(deep), { recursive: true });
    await t.close();
  });
});
