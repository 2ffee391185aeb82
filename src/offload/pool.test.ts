import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { createLogger, silentLogger } from '../log/log.ts';
import { JobError, WorkerPool } from './pool.ts';

// A text job over `text` as one text/plain part (the smallest real job the workers run).
function textInput(text: string) {
  const bytes = new Uint8Array(Buffer.from(text));
  return { bytes, parts: [{ bodyStart: 0, end: bytes.length, encoding: '7bit', params: [] as [string, string][] }] };
}

async function failure(p: Promise<unknown>): Promise<JobError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof JobError, String(e));
    return e;
  }
  assert.fail('the job succeeded');
}

test('a job runs in a worker and its input buffer is transferred, not copied', async () => {
  const pool = new WorkerPool({ log: silentLogger });
  try {
    const input = textInput('Hello WORLD');
    const out = await pool.run('text', input, { deadlineMs: 10_000, transfer: [input.bytes.buffer as ArrayBuffer] });
    assert.equal(out.text, 'hello world');
    assert.equal(input.bytes.byteLength, 0, 'the buffer moved to the worker');
    assert.equal(pool.workers, 1);
  } finally {
    await pool.close();
  }
});

test('a job past its deadline ends with its worker; the next job gets a fresh one', async () => {
  const lines: string[] = [];
  const pool = new WorkerPool({ size: 1, log: createLogger({ write: (l) => lines.push(l) }) });
  try {
    const slow = pool.run('text', textInput('A'.repeat(64 << 20)), { deadlineMs: 1 });
    const queued = pool.run('text', textInput('After'), { deadlineMs: 10_000 });
    assert.equal((await failure(slow)).reason, 'timeout');
    assert.equal((await queued).text, 'after', 'the queued job ran on a replacement worker');
    assert.ok(lines.some((l) => JSON.parse(l).event === 'offload.timeout'));
  } finally {
    await pool.close();
  }
});

test('a job over the heap cap fails with reason memory, and the pool goes on', async () => {
  const pool = new WorkerPool({ size: 1, heapMb: 16, log: silentLogger });
  try {
    // Half a million part descriptions: their copy alone is well past a 16 MB heap.
    const input = textInput('Ab');
    const parts = Array.from({ length: 500_000 }, () => ({ ...input.parts[0]!, params: [['charset', 'utf-8']] as [string, string][] }));
    const big = pool.run('text', { bytes: input.bytes, parts }, { deadlineMs: 60_000 });
    assert.equal((await failure(big)).reason, 'memory');
    assert.equal((await pool.run('text', textInput('OK'), { deadlineMs: 10_000 })).text, 'ok');
  } finally {
    await pool.close();
  }
});

test('a job that throws fails with reason failed and keeps its worker', async () => {
  const pool = new WorkerPool({ size: 1, log: silentLogger });
  try {
    const bad = pool.run('text', { bytes: null, parts: [] } as never, { deadlineMs: 10_000 });
    assert.equal((await failure(bad)).reason, 'failed');
    assert.equal(pool.workers, 1);
    assert.equal((await pool.run('text', textInput('X'), { deadlineMs: 10_000 })).text, 'x');
  } finally {
    await pool.close();
  }
});

test('idle workers end; close fails what is queued and refuses new jobs', async () => {
  const pool = new WorkerPool({ size: 1, idleMs: 100, log: silentLogger });
  await pool.run('text', textInput('x'), { deadlineMs: 10_000 });
  assert.equal(pool.workers, 1);
  await sleep(400);
  assert.equal(pool.workers, 0, 'the idle worker ended');

  const running = failure(pool.run('text', textInput('A'.repeat(64 << 20)), { deadlineMs: 60_000 }));
  const queued = failure(pool.run('text', textInput('y'), { deadlineMs: 60_000 }));
  await pool.close();
  assert.equal((await running).reason, 'closed');
  assert.equal((await queued).reason, 'closed');
  assert.equal((await failure(pool.run('text', textInput('z'), { deadlineMs: 10_000 }))).reason, 'closed');
});
