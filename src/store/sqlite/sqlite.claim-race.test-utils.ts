/**
 * Child-process helper for the multi-connection claim test: opens the SQLite file, says
 * "ready", waits for "go" on stdin (so all children race at once), claims until nothing is
 * left, and prints the claimed ids as one JSON line.
 * Usage: node --import tsx sqlite.claim-race.test-utils.ts <db path> <worker id>
 */
import { createSqliteStore } from './sqlite.store.js';

const [path, workerId] = process.argv.slice(2);
const store = createSqliteStore({ path, busyTimeoutMs: 30_000 });
process.stdout.write('ready\n');
process.stdin.once('data', async () => {
  const ids: string[] = [];
  for (;;) {
    const job = await store.claimJob({ workerId, leaseMs: 600_000, now: new Date() });
    if (!job) break;
    ids.push(job.id);
    // A real worker works between claims; without a pause SQLite's busy handler (which sleeps
    // and retries) lets the hot process win every time and there is no race to test.
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await store.close();
  process.stdout.write(`${JSON.stringify(ids)}\n`);
  process.exit(0);
});
