// The whole server, in this process, on free 127.0.0.1 ports and a fresh data folder: what
// integration tests point real clients at. Closing it checks the store's invariants.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { parseServeOptions } from '../../src/config/options.ts';
import { createLogger, silentLogger, type Logger } from '../../src/log/log.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import type { ServiceStarter } from '../../src/service/context.ts';
import { tempDir } from './temp-store.ts';

export interface TestServer extends RunningServer {
  dataDir: string;
  close(): Promise<void>;
}

// extraArgs: more `homepost serve` flags. starters: only these protocols (default: all).
// dev: false starts without --dev (no development account, no plaintext login on loopback).
// HOMEPOST_TEST_LOG=1 prints the server's log lines.
export async function startTestServer(opts: { extraArgs?: string[]; starters?: ServiceStarter[]; log?: Logger; dev?: boolean } = {}): Promise<TestServer> {
  const dataDir = tempDir('homepost-server-');
  const options = parseServeOptions(
    [...(opts.dev === false ? [] : ['--dev']), '--ephemeral', '--data', dataDir, '--hostname', 'mail.example.test', ...(opts.extraArgs ?? [])],
    {},
  );
  const log = opts.log ?? (process.env.HOMEPOST_TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger);
  const server = await startServer(options, log, opts.starters);
  return {
    ...server,
    dataDir,
    async close() {
      const problems = server.context.store.checkConsistency();
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
      assert.deepEqual(problems, []);
    },
  };
}
