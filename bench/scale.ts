/**
 * Scale-out benchmark (issue 5), on PostgreSQL:
 *   (a) end-to-end jobs per second with 1 and with 2 `narrate worker` processes behind one
 *       `narrate api` (same N short jobs; first submit → last completion);
 *   (b) claimJob latency with 10, 1,000 and 10,000 Created jobs queued (must stay flat).
 *
 *   node --import tsx bench/scale.ts                # NARRATE_TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres
 *   BENCH_JOBS=400 node --import tsx bench/scale.ts # more jobs for (a)
 *
 * Every run uses its own schemas and drops them at the end. Objects go to local buckets in one data
 * directory shared by the processes (one machine), so the numbers measure Narrate, not an S3 emulator.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createPostgresStore } from '../src/store/postgres/postgres.store.js';
import { popCoreClient } from '../test/support/ice-clients.js';
import { freePort, startNarrateProcess, type NarrateProcess } from '../test/support/narrate-process.js';

const DATABASE_URL = process.env.NARRATE_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const JOBS = Number(process.env.BENCH_JOBS ?? 200);
/** Finished jobs already in the table for (b). */
const HISTORY = Number(process.env.BENCH_HISTORY ?? 50_000);
const KEY = { id: 'benchid', secret: 'benchsecret' };
const schemas: string[] = [];

const newSchema = (what: string) => {
  const schema = `bench_${what}_${randomBytes(4).toString('hex')}`;
  schemas.push(schema);
  return schema;
};

async function sql<T>(schema: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** (a) One api + `workers` worker processes; returns jobs per second from first submit to last completion. */
async function throughput(workers: number): Promise<{ jobsPerSecond: number; seconds: number; submitSeconds: number }> {
  const schema = newSchema(`tp${workers}`);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'narrate-bench-scale-'));
  const port = await freePort();
  const env = {
    NARRATE_DATABASE_URL: DATABASE_URL,
    NARRATE_DATABASE_SCHEMA: schema,
    NARRATE_DATA_DIR: dataDir,
    NARRATE_VOICES_DIR: path.join(dataDir, 'voices'),
  };
  const processes: NarrateProcess[] = [];
  try {
    processes.push(await startNarrateProcess({ command: 'api', args: [], env: { ...env, NARRATE_PORT: String(port), NARRATE_ACCESS_KEYS: `${KEY.id}:${KEY.secret}`, NARRATE_RATE_LIMIT: '0' } }));
    for (let i = 0; i < workers; i++) processes.push(await startNarrateProcess({ command: 'worker', args: [], env: { ...env, NARRATE_CONCURRENCY: '1' } }));
    const client = popCoreClient({ port, ...KEY });
    const started = Date.now();
    for (let start = 0; start < JOBS; start += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, JOBS - start) }, (_, k) =>
          client.request('SubmitAudioProduceJob', {
            EditingConfig: JSON.stringify({ voice: (start + k) % 2 ? 'Siqi' : 'Harry', format: 'MP3' }),
            InputConfig: (start + k) % 2 ? `第${start + k}号任务：今天天气很好。` : `Job number ${start + k}: the quick brown fox jumps over the lazy dog.`,
            OutputConfig: JSON.stringify({ bucket: 'bench', object: `job-${start + k}` }),
          }, { method: 'POST' }),
        ),
      );
    }
    const submitSeconds = (Date.now() - started) / 1000;
    for (;;) {
      const done = await sql(schema, async (db) => (await db.query<{ n: number; last: Date | null }>('SELECT count(*)::int AS n, max(completed_at) AS last FROM job_completions')).rows[0]!);
      if (done.n >= JOBS) {
        const seconds = (done.last!.getTime() - started) / 1000;
        return { jobsPerSecond: JOBS / seconds, seconds, submitSeconds };
      }
      await sleep(100);
    }
  } finally {
    for (const p of processes) await p.kill('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** (b) claimJob latency with `queued` Created jobs; the claimed job is put back (untimed) so the queue size holds. */
async function claimLatency(queued: number, samples = 300): Promise<{ median: number; p95: number; index: string }> {
  const schema = newSchema(`claim${queued}`);
  const store = await createPostgresStore({ connectionString: DATABASE_URL, schema, listen: false, poolSize: 2 });
  try {
    await sql(schema, async (db) => {
      await db.query(
        `INSERT INTO jobs (id, media_id, owner_key_id, state, title, input_text, editing_config, output_bucket, output_object, overwrite, created_at, modified_at)
         SELECT md5('j' || g), md5('m' || g), 'bench', 'Created', 't', 'hello', '{}', 'b', 'o' || g, true,
                now() - interval '1 day' + g * interval '1 ms', now()
         FROM generate_series(1, $1) g`,
        [queued],
      );
      // A realistic table also holds history: finished jobs older than the queue, which a claim must not wade through.
      await db.query(
        `INSERT INTO jobs (id, media_id, owner_key_id, state, title, input_text, editing_config, output_bucket, output_object, overwrite, created_at, modified_at)
         SELECT md5('h' || g), md5('hm' || g), 'bench', 'Finished', 't', 'hello', '{}', 'b', 'h' || g, true,
                now() - interval '2 days' + g * interval '1 ms', now()
         FROM generate_series(1, $1) g`,
        [HISTORY],
      );
      await db.query('ANALYZE jobs');
    });
    const plan = await sql(schema, async (db) =>
      (await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT id, created_at FROM jobs WHERE state = 'Created' ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED`)).rows
        .map((row) => row['QUERY PLAN'])
        .join('\n'),
    );
    const put = new pg.Client({ connectionString: DATABASE_URL, options: `-c search_path=${schema}` });
    await put.connect();
    const times: number[] = [];
    try {
      for (let i = 0; i < samples + 20; i++) {
        const t0 = process.hrtime.bigint();
        const job = await store.claimJob({ workerId: 'bench', leaseMs: 30_000, now: new Date() });
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        if (!job) throw new Error('nothing to claim');
        if (i >= 20) times.push(ms); // the first claims warm the connection and the prepared statement
        await put.query(`UPDATE jobs SET state = 'Created', lease_owner = NULL, lease_expires_at = NULL WHERE id = $1`, [job.id]);
      }
    } finally {
      await put.end();
    }
    times.sort((a, b) => a - b);
    return { median: quantile(times, 0.5), p95: quantile(times, 0.95), index: /Index (?:Only )?Scan using (\w+)/.exec(plan)?.[1] ?? `no index: ${plan}` };
  } finally {
    await store.close();
  }
}

async function main() {
  const cores = os.cpus().length;
  console.log(`bench/scale: PostgreSQL ${DATABASE_URL.replace(/\/\/[^@]*@/, '//…@')}, ${cores} cores, node ${process.version}`);

  console.log(`\n(a) end-to-end throughput, ${JOBS} short jobs (espeak, MP3), 1 api + N worker processes (concurrency 1 each)`);
  const one = await throughput(1);
  console.log(`  1 worker : ${one.jobsPerSecond.toFixed(1)} jobs/s (${one.seconds.toFixed(1)} s; submits took ${one.submitSeconds.toFixed(1)} s)`);
  const two = await throughput(2);
  console.log(`  2 workers: ${two.jobsPerSecond.toFixed(1)} jobs/s (${two.seconds.toFixed(1)} s; submits took ${two.submitSeconds.toFixed(1)} s)`);
  console.log(`  ratio 2w/1w: ${(two.jobsPerSecond / one.jobsPerSecond).toFixed(2)} (api, PostgreSQL and the workers share ${cores} cores)`);

  console.log(`\n(b) claimJob latency (one statement, FOR UPDATE SKIP LOCKED), ${HISTORY} finished jobs in the table too`);
  const latencies: Record<number, { median: number; p95: number; index: string }> = {};
  for (const queued of [10, 1_000, 10_000]) {
    latencies[queued] = await claimLatency(queued);
    const l = latencies[queued]!;
    console.log(`  ${String(queued).padStart(6)} queued: median ${l.median.toFixed(3)} ms, p95 ${l.p95.toFixed(3)} ms, plan: ${l.index}`);
  }
  console.log(`  ratio median 10,000/10: ${(latencies[10_000]!.median / latencies[10]!.median).toFixed(2)}`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });
