// Starts one worker thread: from its source file in a checkout, or from the script embedded in
// the executable (src/runtime/sea.ts), compiled by the worker itself.
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { asset, chunkKey } from '../runtime/sea.ts';
import { workerUrl } from './worker-url.ts';

// The embedded worker script's chunk name (tools/build-binary.ts builds it).
export const WORKER_CHUNK = 'offload-worker';

export function spawnWorker(resourceLimits: ResourceLimits): Worker {
  if (workerUrl) return new Worker(workerUrl, { resourceLimits });
  const code = asset(chunkKey(WORKER_CHUNK));
  if (!code) throw new Error(`this executable has no ${chunkKey(WORKER_CHUNK)}`);
  return new Worker(code.toString('utf8'), { eval: true, resourceLimits });
}
