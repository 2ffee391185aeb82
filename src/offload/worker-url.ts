// Where the worker's script is when homepost runs from a checkout. The executable carries the
// worker as a script of its own instead, and its build replaces this module with one that says
// so (tools/sea/plugin.ts): the only place in src/ that may locate a file through import.meta.
export const workerUrl: URL | null = new URL('./worker.ts', import.meta.url);
