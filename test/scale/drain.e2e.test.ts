/**
 * SIGTERM on a worker: it stops claiming, finishes (or gives back) the jobs in its hands and exits 0;
 * the other worker carries on. Leases are 10 minutes here, so a job the stopping worker kept
 * without releasing would stay stuck far past this test's timeout: only a real hand-back passes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/narrate-server.js';
import { skipReason, startCluster, TEST_DATABASE_URL, type Cluster } from './scale.test-utils.js';

const JOBS = 16;
let cluster: Cluster | undefined;

afterAll(async () => {
  await cluster?.stop();
});

// A few hundred characters each, so the jobs are still in hand when the signal arrives.
const TEXT = Array.from({ length: 8 }, (_, i) => `Paragraph ${i + 1}. The committee met on the fifth of May to discuss the budget, and agreed to meet again.`).join(' ');

describe.skipIf(skipReason('the worker drain test') !== null)('worker SIGTERM', () => {
  it('drains: jobs in hand finish or are released, and the other worker picks up the rest', async () => {
    cluster = await startCluster({ url: TEST_DATABASE_URL!, schemaPrefix: 'scale_drain', buckets: ['drain'], workers: 2, workerEnv: { NARRATE_LEASE_SECONDS: '600' } });
    const c = cluster;
    const [leaving, staying] = c.workers as [typeof c.workers[0], typeof c.workers[0]];
    const prefix = c.workerIdPrefix(leaving);

    const jobIds: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const body = await c.call('SubmitAudioProduceJob', {
        EditingConfig: JSON.stringify({ voice: 'Harry', format: 'MP3' }),
        InputConfig: `${i}. ${TEXT}`,
        OutputConfig: JSON.stringify({ bucket: 'drain', object: `job-${i}` }),
      });
      jobIds.push(body.JobId as string);
    }

    const held = await waitFor(
      async () => {
        const { rows } = await c.sql((db) => db.query<{ id: string }>(`SELECT id FROM jobs WHERE state = 'Executing' AND lease_owner LIKE $1`, [`${prefix}%`]));
        return rows.length > 0 ? rows.map((row) => row.id) : null;
      },
      { what: 'the leaving worker to hold a job', intervalMs: 10 },
    );
    expect(await leaving.kill('SIGTERM')).toBe(0);
    expect(leaving.output()).toContain('shutting down');
    expect(leaving.output()).toMatch(/"msg":"stopped"/);

    // Nothing is left owned by the process that left.
    const orphans = await c.sql((db) => db.query<{ id: string }>(`SELECT id FROM jobs WHERE state = 'Executing' AND lease_owner LIKE $1`, [`${prefix}%`]));
    expect(orphans.rows).toEqual([]);

    await waitFor(
      async () => (await c.sql((db) => db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE state = 'Finished'`))).rows[0]!.n === JOBS,
      { what: 'all jobs to finish', timeoutMs: 120_000, intervalMs: 200 },
    );
    const completions = await c.sql(async (db) => (await db.query<{ job_id: string; worker_id: string }>('SELECT job_id, worker_id FROM job_completions')).rows);
    expect(completions.map((row) => row.job_id).sort()).toEqual([...jobIds].sort());
    const stayingPrefix = c.workerIdPrefix(staying);
    // Jobs held at the signal were completed by the leaving worker (drained) or by the other one (released).
    for (const id of held) {
      const row = completions.find((r) => r.job_id === id)!;
      expect(row.worker_id.startsWith(prefix) || row.worker_id.startsWith(stayingPrefix)).toBe(true);
    }
    // The staying worker did the rest of the queue.
    expect(completions.filter((row) => row.worker_id.startsWith(stayingPrefix)).length).toBeGreaterThan(0);
    expect(staying.child.exitCode).toBeNull();
  }, 180_000);
});
