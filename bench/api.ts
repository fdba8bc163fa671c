/**
 * API throughput and job latency. Not a test: prints tables and exits (about a minute).
 *   node --import tsx bench/api.ts [--seconds S] [--in-flight N] [--jobs J] [--data-base DIR] [--throughput-only | --latency-only]
 *
 * 1. Signed submits per second: real SubmitAudioProduceJob requests (ACS3-HMAC-SHA256, form body,
 *    a fresh nonce each) over HTTP on loopback with N requests in flight, against `narrate api`
 *    (its own process, compiled from the current sources first and run from dist/ as `npx narrate`
 *    runs, SQLite in a temp dir, synchronous=FULL, no worker), against a bare Fastify route in its
 *    own process (plain JavaScript; same requests, same client, answers without doing anything),
 *    and against two floors (bench/support/floor-server.mjs: signature, nonce and a durable insert,
 *    nothing else; commits on a writer thread or on the event loop), which show what any server
 *    that keeps the submit contract can reach on this machine.
 * 2. Submit → Finished latency of a 200-character Chinese job on an in-process api+worker server,
 *    polled with GetSmartHandleJob every 5 ms, minus the pure synthesis time of the same text
 *    (speech.prepare + render to memory, same process, same engine).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { signedIceRequest } from '../src/api/ice/ice.test-utils.js';
import { EDITING_DEFAULTS } from '../src/jobs/editing-config.models.js';
import { freePort, startNarrateProcess } from '../test/support/narrate-process.js';
import { startTestServer, TEST_KEY } from '../test/support/narrate-server.js';
import { runClosedLoop, type LoadResult, type PreparedRequest } from './support/load.js';
import { median, percentile } from './support/stats.js';
import { cpuBetween, threadCpuMs } from './support/thread-cpu.js';
import { fixed, renderTable } from './support/table.js';
import { CHINESE_TEXT } from './support/texts.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name: string, fallback: number) => Number(process.argv[process.argv.indexOf(name) + 1]) || fallback;
const SECONDS = arg('--seconds', 5);
const IN_FLIGHT = arg('--in-flight', 16);
const JOBS = arg('--jobs', 10);
const MAX_REQUESTS = 50_000;
const KEY = { id: 'benchkey', secret: 'benchsecret' };
const JOB_TEXT = CHINESE_TEXT.slice(0, 200);
/** `--data-base /dev/shm` puts the SQLite file on tmpfs, where fsync is free: shows the CPU-bound ceiling. */
const DATA_BASE = process.argv.includes('--data-base') ? process.argv[process.argv.indexOf('--data-base') + 1] : os.tmpdir();

function submitRequest({ port, index, key = KEY }: { port: number; index: number; key?: { id: string; secret: string } }): PreparedRequest {
  const signed = signedIceRequest({
    signature: 'v3',
    action: 'SubmitAudioProduceJob',
    placement: 'body',
    host: `127.0.0.1:${port}`,
    accessKeyId: key.id,
    accessKeySecret: key.secret,
    params: {
      EditingConfig: JSON.stringify({ voice: 'Xiaoyun', format: 'MP3' }),
      InputConfig: JOB_TEXT,
      OutputConfig: JSON.stringify({ bucket: 'bench', object: `submits/${index}` }),
    },
  });
  return { method: signed.method, path: signed.url, headers: signed.headers, body: signed.body };
}

/** Starts one of the plain-JavaScript comparison servers in bench/support/ in its own process and waits for its port. */
async function startSupportServer(script: string, args: string[] = []): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bench', 'support', script), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`bare server exited (${code})`)));
  });
  return { port, child };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Compiles src/ into dist/, so the bench runs what `npx narrate` would run from these sources. */
function buildDist(): void {
  const built = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) throw new Error('tsc -p tsconfig.build.json failed');
}

interface Side {
  name: string;
  port: number;
  pid: number | undefined;
  runs: LoadResult[];
  cpu: { mainMs: number; otherMs: number; clientMs: number };
}

async function throughput(): Promise<void> {
  buildDist();
  const dataDir = await mkdtemp(path.join(DATA_BASE, 'narrate-bench-api-'));
  const narratePort = await freePort();
  const narrate = await startNarrateProcess({
    from: 'dist',
    command: 'api',
    args: ['--data-dir', dataDir, '--voices-dir', path.join(dataDir, 'voices'), '--port', String(narratePort), '--access-keys', `${KEY.id}:${KEY.secret}`, '--rate-limit', '0'],
  });
  const bare = await startSupportServer('bare-server.mjs');
  const floorThread = await startSupportServer('floor-server.mjs', [dataDir, `${KEY.id}:${KEY.secret}`, 'thread']);
  const floorInline = await startSupportServer('floor-server.mjs', [dataDir, `${KEY.id}:${KEY.secret}`, 'inline']);
  const side = (name: string, port: number, pid: number | undefined): Side => ({ name, port, pid, runs: [], cpu: { mainMs: 0, otherMs: 0, clientMs: 0 } });
  const sides = [
    side('bare Fastify route (does nothing)', bare.port, bare.child.pid),
    side('floor, writes on a writer thread', floorThread.port, floorThread.child.pid),
    side('floor, writes on the event loop', floorInline.port, floorInline.child.pid),
    side('narrate api: SubmitAudioProduceJob (V3, SQLite)', narratePort, narrate.child.pid),
  ];
  try {
    let index = 0;
    const load = (port: number, seconds: number) =>
      runClosedLoop({ origin: `http://127.0.0.1:${port}`, inFlight: IN_FLIGHT, maxSeconds: seconds, maxRequests: MAX_REQUESTS, next: () => submitRequest({ port, index: index++ }) });
    // Warm-up: JIT, SQLite page cache, connection setup.
    for (const s of sides) await load(s.port, 1);
    // CPU per request, per side: the server's main thread, its other threads (SQLite writer
    // threads, V8's GC helpers, libuv), and this process (the load generator).
    const measured = async (s: Side) => {
      const before = s.pid === undefined ? null : threadCpuMs(s.pid);
      const client = process.cpuUsage();
      s.runs.push(await load(s.port, SECONDS / 2));
      const clientUsage = process.cpuUsage(client);
      const after = s.pid === undefined ? null : threadCpuMs(s.pid);
      s.cpu.clientMs += (clientUsage.user + clientUsage.system) / 1000;
      if (before && after) {
        const spent = cpuBetween(s.pid!, before, after);
        s.cpu.mainMs += spent.mainMs;
        s.cpu.otherMs += spent.otherMs;
      }
    };
    for (let round = 0; round < 2; round++) for (const s of sides) await measured(s);
    const failures = sides.flatMap((s) => s.runs).filter((r) => r.failed > 0);
    const rows = sides.map((s) => {
      const latencies = s.runs.flatMap((r) => r.latencies);
      const completed = s.runs.reduce((sum, r) => sum + r.completed, 0);
      const seconds = s.runs.reduce((sum, r) => sum + r.seconds, 0);
      return { ...s, completed, failed: s.runs.reduce((sum, r) => sum + r.failed, 0), perSecond: completed / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
    });
    const bareRate = rows[0].perSecond;
    const narrateRate = rows[rows.length - 1].perSecond;
    console.log(`\nSigned submits per second — ${IN_FLIGHT} in flight, ${SECONDS} s each (2 alternating rounds), 200-character Chinese InputConfig, loopback; SQLite under ${DATA_BASE}.`);
    console.log('The floors (bench/support/floor-server.mjs) check the V3 signature, refuse a reused nonce and commit the job before answering, and do nothing else.\n');
    console.log(
      renderTable({
        header: ['server', 'requests', 'failed', 'per second', 'p50 ms', 'p99 ms', 'vs bare'],
        rows: rows.map((r) => [r.name, r.completed, r.failed, fixed(r.perSecond, 0), fixed(r.p50, 1), fixed(r.p99, 1), `${fixed(r.perSecond / bareRate, 3)}×`]),
      }),
    );
    console.log(`\nGoal: narrate ≥ 0.5× the bare route. Ratio: ${fixed(narrateRate / bareRate, 3)}×`);
    if (threadCpuMs(process.pid)) {
      const perRequest = (ms: number, completed: number) => fixed((ms / completed) * 1000, 0);
      console.log('\nCPU per request (µs, from /proc; 10 ms ticks): the server main thread, its other threads, the load generator.\n');
      console.log(
        renderTable({
          header: ['server', 'main thread', 'other threads', 'load generator', 'total'],
          rows: rows.map(({ name, cpu: c, completed }) => [name, perRequest(c.mainMs, completed), perRequest(c.otherMs, completed), perRequest(c.clientMs, completed), perRequest(c.mainMs + c.otherMs + c.clientMs, completed)]),
        }),
      );
      console.log(`(${os.cpus().length} cores: requests per second can be no more than ${os.cpus().length} s of CPU divided by the total.)`);
    }
    if (failures.length > 0) console.log(`Failures, first one: ${failures[0].firstFailure}`);
  } finally {
    for (const child of [bare.child, floorThread.child, floorInline.child]) await stopChild(child);
    await narrate.kill('SIGTERM');
    await rm(dataDir, { recursive: true, force: true });
  }
}

type Body = Record<string, unknown>;

async function latency(): Promise<void> {
  const server = await startTestServer({ logLevel: 'warn' }, { api: true, worker: true });
  try {
    const origin = `http://127.0.0.1:${server.port}`;
    const call = async (action: string, params: Record<string, string>): Promise<Body> => {
      const signed = signedIceRequest({ signature: 'v3', action, params, placement: 'body', host: `127.0.0.1:${server.port}`, accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret });
      const response = await request(`${origin}${signed.url}`, { method: signed.method, headers: signed.headers, body: signed.body });
      return (await response.body.json()) as Body;
    };
    const { speech, store } = server.narrate;
    // The worker calls speech.render through this same object, so timing it here times the
    // render inside each job (which also writes to the job's temp file) without touching src/.
    const renders: number[] = [];
    const render = speech.render;
    speech.render = async (args) => {
      const start = performance.now();
      try {
        return await render(args);
      } finally {
        renders.push(performance.now() - start);
      }
    };
    const synthesise = async () => {
      const start = performance.now();
      const plan = speech.prepare({ inputText: JOB_TEXT, editing: { ...EDITING_DEFAULTS, voice: 'Xiaoyun' } });
      await render({ plan, write: async () => {} });
      return performance.now() - start;
    };
    const runJob = async (index: number) => {
      const start = performance.now();
      const submitted = await call('SubmitAudioProduceJob', {
        EditingConfig: JSON.stringify({ voice: 'Xiaoyun', format: 'MP3' }),
        InputConfig: JOB_TEXT,
        OutputConfig: JSON.stringify({ bucket: 'bench', object: `latency/${index}` }),
      });
      const submitMs = performance.now() - start;
      if (typeof submitted.JobId !== 'string') throw new Error(`submit failed: ${JSON.stringify(submitted)}`);
      const jobId = submitted.JobId;
      const rendersBefore = renders.length;
      // Polled in the store (what GetSmartHandleJob reads) rather than over HTTP: every signed
      // request spends a nonce, an fsync'd write, and polling that every 5 ms would itself slow the job.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const job = await store.getJob(jobId);
        if (job?.state === 'Finished') break;
        if (job?.state === 'Failed' || Date.now() > deadline) throw new Error(`job did not finish: ${JSON.stringify(job)}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const totalMs = performance.now() - start;
      const finished = await call('GetSmartHandleJob', { JobId: jobId });
      if (finished.State !== 'Finished') throw new Error(`GetSmartHandleJob disagrees: ${JSON.stringify(finished)}`);
      return { totalMs, submitMs, renderMs: renders.length > rendersBefore ? renders[renders.length - 1] : NaN };
    };
    await synthesise();
    await runJob(-1); // warm-up
    const synthesis: number[] = [];
    const jobs: Array<{ totalMs: number; submitMs: number; renderMs: number }> = [];
    for (let i = 0; i < JOBS; i++) {
      // Interleaved so both see the same machine load.
      synthesis.push(await synthesise());
      jobs.push(await runJob(i));
    }
    const synthMs = median(synthesis);
    const overheads = jobs.map((j) => j.totalMs - synthMs);
    console.log(`\nSubmit → Finished for a ${JOB_TEXT.length}-character Chinese job (Xiaoyun, MP3 16 kHz), api+worker in-process, SQLite; ${JOBS} jobs, one at a time.`);
    console.log('Submitted over signed HTTP; Finished detected by polling the job store every 5 ms (what GetSmartHandleJob reads).\n');
    console.log(
      renderTable({
        header: ['measure', 'median ms', 'p90 ms', 'min ms', 'max ms'],
        rows: [
          ['pure synthesis (speech.prepare + render to memory)', ...stats(synthesis)],
          ['submit round trip (signed request → JobId)', ...stats(jobs.map((j) => j.submitMs))],
          ['render inside the job (worker, writing its temp file)', ...stats(jobs.map((j) => j.renderMs))],
          ['submit → Finished', ...stats(jobs.map((j) => j.totalMs))],
          ['overhead = submit → Finished − pure synthesis (median)', ...stats(overheads)],
          ['  of which outside render = submit → Finished − render in job', ...stats(jobs.map((j) => j.totalMs - j.renderMs))],
        ],
      }),
    );
    console.log(
      `\nGoal: overhead ≤ 150 ms. Median overhead: ${fixed(median(overheads), 1)} ms vs the pure-synthesis median; ${fixed(median(jobs.map((j) => j.totalMs - j.renderMs)), 1)} ms outside the job's own render (paired per job, so machine noise cancels). Both include up to 5 ms of poll interval.`,
    );
  } finally {
    await server.stop();
  }
}

function stats(values: number[]): string[] {
  return [fixed(median(values), 1), fixed(percentile(values, 90), 1), fixed(Math.min(...values), 1), fixed(Math.max(...values), 1)];
}

const skipThroughput = process.argv.includes('--latency-only');
const skipLatency = process.argv.includes('--throughput-only');
if (!skipThroughput) await throughput();
if (!skipLatency) await latency();
process.exit(0);
