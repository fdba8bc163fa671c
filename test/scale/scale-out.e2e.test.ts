/**
 * Issue 5, "done when": one `narrate api` and two `narrate worker` processes on PostgreSQL and S3
 * (s3rver on loopback). 200 jobs; a worker is killed with SIGKILL while it holds jobs, several
 * times, and restarted. Audit: every job Finished exactly once (job_completions has one row per job,
 * enforced by its primary key), every object intact, every callback delivered.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../support/audio-analysis.js';
import { waitFor } from '../support/narrate-server.js';
import type { NarrateProcess } from '../support/narrate-process.js';
import { skipReason, startCallbackReceiver, startCluster, TEST_DATABASE_URL, type Body, type CallbackReceiver, type Cluster } from './scale.test-utils.js';

const JOBS = 200;
const KILLS = 3;
const BUCKET = 'scale';
let cluster: Cluster | undefined;
let receiver: CallbackReceiver | undefined;

afterAll(async () => {
  await cluster?.stop();
  await receiver?.close();
});

function textOf(i: number): string {
  return i % 2 ? `第${i}号任务：今天天气很好，我们去公园散步吧。` : `Job number ${i}: the quick brown fox jumps over the lazy dog.`;
}
const formatOf = (i: number) => (i % 4 === 0 ? 'wav' : 'mp3');

describe.skipIf(skipReason('the scale-out test') !== null)('scale-out: 1 api + 2 workers on PostgreSQL and S3', () => {
  it(`${JOBS} jobs, a worker SIGKILLed ${KILLS} times: each job Finished exactly once, objects intact, callbacks delivered`, async () => {
    const url = TEST_DATABASE_URL!;
    receiver = await startCallbackReceiver();
    cluster = await startCluster({ url, schemaPrefix: 'scale_out', buckets: [BUCKET], workers: 2 });
    const c = cluster;
    const notify = receiver.url;

    const jobIds: string[] = new Array(JOBS);
    const submitAll = async () => {
      // Ten clients at a time, as a busy front end would.
      for (let start = 0; start < JOBS; start += 10) {
        await Promise.all(
          Array.from({ length: Math.min(10, JOBS - start) }, async (_, k) => {
            const i = start + k;
            const body = await c.call('SubmitAudioProduceJob', {
              EditingConfig: JSON.stringify({ voice: i % 2 ? 'Siqi' : 'Harry', format: formatOf(i).toUpperCase() }),
              InputConfig: textOf(i),
              OutputConfig: JSON.stringify({ bucket: BUCKET, object: `out/job-${i}` }),
              UserData: JSON.stringify({ NotifyAddress: notify, i }),
            });
            jobIds[i] = body.JobId as string;
          }),
        );
      }
    };
    const countDone = () =>
      c.sql(async (db) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE state IN ('Finished', 'Failed')`)).rows[0]!.n);

    // The victim is workers[0], then each replacement started after a kill; workers[1] keeps running.
    const interrupted = new Set<string>();
    let victim: NarrateProcess = c.workers[0]!;
    const chaos = async () => {
      for (let kill = 0; kill < KILLS; kill++) {
        const prefix = c.workerIdPrefix(victim);
        // A random moment while it holds at least one job.
        await new Promise((resolve) => setTimeout(resolve, 1000 + Math.floor(Math.random() * 3000)));
        const held = await waitFor(
          async () => {
            const { rows } = await c.sql((db) => db.query<{ id: string }>(`SELECT id FROM jobs WHERE state = 'Executing' AND lease_owner LIKE $1`, [`${prefix}%`]));
            return rows.length > 0 ? rows : null;
          },
          { what: 'the victim to hold a job', intervalMs: 10, timeoutMs: 60_000 },
        );
        await victim.kill('SIGKILL');
        // What the dead process still owned is now orphaned: it must be redone by someone else.
        const { rows } = await c.sql((db) =>
          db.query<{ id: string }>(`SELECT id FROM jobs WHERE state = 'Executing' AND lease_owner LIKE $1 AND id = ANY($2::text[])`, [`${prefix}%`, held.map((r) => r.id)]),
        );
        for (const row of rows) interrupted.add(row.id);
        victim = await c.startWorker();
      }
    };

    await Promise.all([submitAll(), chaos()]);
    expect(jobIds.filter(Boolean)).toHaveLength(JOBS);
    await waitFor(async () => (await countDone()) === JOBS, { what: `all ${JOBS} jobs to end`, timeoutMs: 150_000, intervalMs: 250 });

    // Every job Finished, its object present and decodable with the duration its AiResult gives.
    const results = new Map<string, Body>();
    for (let start = 0; start < JOBS; start += 20) {
      await Promise.all(
        jobIds.slice(start, start + 20).map(async (id, k) => {
          const i = start + k;
          const body = await c.call('GetSmartHandleJob', { JobId: id });
          results.set(id, body);
          expect(body.State, `job ${i}: ${body.ErrorCode} ${body.ErrorMessage}`).toBe('Finished');
          const media = await fetch(body.JobResult.MediaUrl);
          expect(media.status, `job ${i} object`).toBe(200);
          const audio = await decodeAudio(new Uint8Array(await media.arrayBuffer()), formatOf(i));
          const timings = JSON.parse(body.JobResult.AiResult) as Array<{ end_time: number }>;
          expect(Math.abs(audio.durationMs - timings.at(-1)!.end_time), `job ${i} duration`).toBeLessThan(formatOf(i) === 'wav' ? 2 : 150);
        }),
      );
    }

    // The audit: exactly one completion per job, and the interrupted ones were redone.
    const audit = await c.sql(async (db) => ({
      completions: (await db.query<{ job_id: string; n: number; state: string }>('SELECT job_id, count(*)::int AS n, min(state) AS state FROM job_completions GROUP BY job_id')).rows,
      attempts: (await db.query<{ id: string; attempts: number }>('SELECT id, attempts FROM jobs')).rows,
      workers: (await db.query<{ n: number }>('SELECT count(DISTINCT worker_id)::int AS n FROM job_completions')).rows[0]!.n,
    }));
    expect(audit.completions.map((row) => row.job_id).sort()).toEqual([...jobIds].sort());
    expect(audit.completions.every((row) => row.n === 1 && row.state === 'Finished')).toBe(true);
    expect(interrupted.size, 'at least one kill caught a job in hand').toBeGreaterThan(0);
    const attemptsOf = new Map(audit.attempts.map((row) => [row.id, row.attempts]));
    for (const id of interrupted) expect(attemptsOf.get(id), `interrupted job ${id}`).toBeGreaterThanOrEqual(2);
    // Work really was spread over processes (the survivor and at least one restarted victim).
    expect(audit.workers).toBeGreaterThanOrEqual(2);

    // Callbacks: at-least-once, so de-duplicate by delivery id; every job has a Finished one.
    const finishedByJob = await waitFor(
      async () => {
        const byJob = new Map<string, Body>();
        for (const body of receiver!.unique().values()) if (body.MessageBody?.Status === 'Finished') byJob.set(body.MessageBody.JobId, body);
        return byJob.size === JOBS ? byJob : null;
      },
      { what: 'a Finished callback for every job', timeoutMs: 60_000 },
    );
    console.log(
      `scale-out: ${JOBS} jobs, ${KILLS} kills, ${interrupted.size} jobs interrupted and redone, ${audit.workers} worker processes completed jobs, ` +
        `${receiver.received.length} callback POSTs for ${receiver.unique().size} deliveries`,
    );
    for (const id of jobIds) {
      const message = finishedByJob.get(id)!.MessageBody;
      expect(message.MediaId).toBe(results.get(id)!.JobResult.MediaId);
      expect(JSON.parse(message.UserData).NotifyAddress).toBe(notify);
    }
  }, 300_000);
});
