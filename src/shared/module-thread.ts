/**
 * Worker threads that run one of Narrate's own TypeScript modules (the SQLite writer thread).
 * The thread is started from a small eval script so the same code runs from the compiled package
 * (.js) and from the TypeScript sources under tsx or vitest (.ts), where it registers tsx first.
 */
import { Worker } from 'node:worker_threads';

const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
(async () => {
  if (workerData.tsxUrl) (await import(workerData.tsxUrl)).register();
  await import(workerData.moduleUrl);
})();
`;

/**
 * Starts `relativePath` (no extension; resolved against `callerUrl`, the caller's import.meta.url)
 * in a new thread. The module reads its options from `workerData.options`.
 */
export function startModuleThread({ callerUrl, relativePath, options }: { callerUrl: string; relativePath: string; options?: unknown }): Worker {
  const fromSource = callerUrl.endsWith('.ts');
  const moduleUrl = new URL(`${relativePath}${fromSource ? '.ts' : '.js'}`, callerUrl).href;
  // Resolved here, from this file: an eval worker resolves bare names from the working directory.
  const tsxUrl = fromSource ? import.meta.resolve('tsx/esm/api') : undefined;
  return new Worker(BOOTSTRAP, { eval: true, workerData: { moduleUrl, tsxUrl, options } });
}
