/**
 * Starts a worker thread whose body is one of our own modules, the same way from the compiled
 * package (.js under dist/) and from the TypeScript sources under tsx or vitest (.ts), where the
 * thread must register tsx before it can import a .ts file.
 */
import { Worker } from 'node:worker_threads';

// A small eval script: it is the only code that runs before tsx (if needed) is registered.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsxUrl) (await import(workerData.tsxUrl)).register();
  await import(workerData.moduleUrl);
})();
`;

const FROM_SOURCE = import.meta.url.endsWith('.ts');

/**
 * `body` is the module's path relative to `from` (the caller's import.meta.url), without its
 * extension. `data` reaches the body as workerData (with moduleUrl and tsxUrl beside it).
 */
export function startModuleWorker({ from, body, data = {} }: { from: string; body: string; data?: Record<string, unknown> }): Worker {
  const moduleUrl = new URL(`${body}${FROM_SOURCE ? '.ts' : '.js'}`, from).href;
  // Resolved here, from this file: an eval worker resolves bare names from the working directory.
  const tsxUrl = FROM_SOURCE ? import.meta.resolve('tsx/esm/api') : undefined;
  return new Worker(BOOTSTRAP, { eval: true, workerData: { ...data, moduleUrl, tsxUrl } });
}
