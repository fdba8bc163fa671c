/**
 * The worker under faults, on the real parts: SQLite store, local storage, eSpeak. Only the edges
 * fail on purpose (a storage write, a database call), through thin wrappers around the real ones.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVoices } from '../app/narrate.js';
import { normalisedEditingConfig, parseEditingConfig } from '../jobs/editing-config.models.js';
import { createSpeechService, type SpeechService } from '../speech/speech.service.js';
import { systemClock } from '../shared/clock.js';
import { errors, JOB_ERROR_CODES } from '../shared/errors.js';
import { randomIds } from '../shared/ids.js';
import { createLogger } from '../shared/logger.js';
import { createLocalStorage } from '../storage/local.storage.js';
import type { ObjectStorage } from '../storage/storage.types.js';
import { createSqliteStore } from '../store/sqlite/sqlite.store.js';
import type { JobRecord, JobStore } from '../store/store.types.js';
import { createWorker, type Worker, type WorkerDeps } from './worker.js';

let voices: Awaited<ReturnType<typeof createVoices>>;
let speech: SpeechService;
let dir: string;
let store: JobStore;
let storage: ObjectStorage;
let workers: Worker[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeAll(async () => {
  voices = await createVoices({ voicesDir: await mkdtemp(path.join(os.tmpdir(), 'narrate-worker-voices-')), engineThreads: 1 });
  speech = createSpeechService({ engines: voices.engines, resolver: voices.resolver });
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  await voices?.close();
});
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'narrate-worker-'));
  store = createSqliteStore({ path: path.join(dir, 'narrate.db') });
  storage = createLocalStorage({ root: path.join(dir, 'buckets') }) as ObjectStorage;
  unhandled.length = 0;
});
afterEach(async () => {
  for (const worker of workers) await worker.stop();
  workers = [];
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const SENTENCE = 'The committee met on the fifth of May to discuss the budget, and agreed to meet again.';
/** Under the 10,000-character input limit at 95 paragraphs. */
const longText = (paragraphs: number) => Array.from({ length: paragraphs }, (_, i) => `Paragraph ${i + 1}. ${SENTENCE}`).join(' ');

async function submit({ text = SENTENCE, editing = '{"voice":"Harry","format":"WAV"}', object = 'out/a', overwrite = false } = {}): Promise<JobRecord> {
  return store.createJob({
    id: randomIds.hex32(),
    mediaId: randomIds.hex32(),
    ownerKeyId: 'k',
    title: 't',
    description: null,
    userData: null,
    inputText: text,
    editingConfig: normalisedEditingConfig(parseEditingConfig(editing)),
    outputBucket: 'faults',
    outputObject: object,
    overwrite,
    createdAt: new Date(),
  });
}

function makeWorker(overrides: Partial<WorkerDeps> = {}): Worker {
  return createWorker({
    store,
    storage,
    speech,
    clock: systemClock,
    ids: randomIds,
    logger: createLogger({ level: 'silent' }),
    deliveryFor: async () => null,
    concurrency: 1,
    leaseMs: 30_000,
    tmpDir: path.join(dir, 'tmp'),
    drainMs: 500,
    retryDelayMs: 200,
    completionRetryMs: 20,
    ...overrides,
  });
}

function startWorker(overrides: Partial<WorkerDeps> = {}): Worker {
  const worker = makeWorker(overrides);
  workers.push(worker);
  worker.start();
  return worker;
}

async function waitFor<T>(probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, { timeoutMs = 30_000, what = 'condition' } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const settled = (jobId: string) =>
  waitFor(async () => {
    const job = await store.getJob(jobId);
    return job && (job.state === 'Finished' || job.state === 'Failed') ? job : null;
  }, { what: `job ${jobId} to settle` });

/** An I/O error as the file system or a network client throws it: not an AppError. */
const ioError = () => Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });

/** The real storage, whose putObject fails while `fail(callNumber)` says so. */
function flakyStorage(fail: (call: number) => Error | null) {
  const calls: number[] = [];
  const real = storage;
  const wrapped: ObjectStorage = {
    ...real,
    kind: real.kind,
    putObject: async (args) => {
      calls.push(Date.now());
      const error = fail(calls.length);
      if (error) throw error;
      return real.putObject(args);
    },
  };
  return { storage: wrapped, calls };
}

/** The real store, whose completeJob throws while `fail(callNumber)` says so (a dropped connection). */
function flakyCompletions(fail: (call: number) => boolean) {
  let calls = 0;
  const wrapped: JobStore = Object.create(store);
  wrapped.completeJob = async (args) => {
    calls += 1;
    if (fail(calls)) throw Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' });
    return store.completeJob(args);
  };
  return { store: wrapped, calls: () => calls };
}

describe('A: a failing completion never takes the process down', () => {
  it('completeJob throwing twice: retried, the job finishes on its first attempt, no unhandled rejection', async () => {
    const flaky = flakyCompletions((call) => call <= 2);
    const job = await submit();
    startWorker({ store: flaky.store });
    const done = await settled(job.id);
    expect(done.state, `${done.errorCode} ${done.errorMessage}`).toBe('Finished');
    expect(done.attempts).toBe(1);
    expect(flaky.calls()).toBe(3);
    expect(unhandled).toEqual([]);
  });

  it('completeJob failing for a while: the job is left to its lease and finished after it, no unhandled rejection', async () => {
    let databaseDown = true;
    const flaky = flakyCompletions(() => databaseDown);
    const job = await submit();
    const worker = startWorker({ store: flaky.store, leaseMs: 1500 });
    // Every try of the first attempt fails; the job must stay Executing (not Failed) and the worker alive.
    await waitFor(() => flaky.calls() >= 4, { what: 'the completion retries' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await store.getJob(job.id))!.state).toBe('Executing');
    expect(unhandled).toEqual([]);
    databaseDown = false;
    const done = await settled(job.id);
    expect(done.state, `${done.errorCode} ${done.errorMessage}`).toBe('Finished');
    expect(done.attempts).toBe(2);
    expect(unhandled).toEqual([]);
    expect(worker.isHealthy()).toBe(true);
  });
});

describe('B: infrastructure failures are retried, the job\'s own are not', () => {
  it('storage failing twice then working: the job finishes on its third attempt, not in a tight loop', async () => {
    const flaky = flakyStorage((call) => (call <= 2 ? ioError() : null));
    const job = await submit();
    startWorker({ storage: flaky.storage, retryDelayMs: 300 });
    const done = await settled(job.id);
    expect(done.state, `${done.errorCode} ${done.errorMessage}`).toBe('Finished');
    expect(done.attempts).toBe(3);
    expect(flaky.calls).toHaveLength(3);
    // Each retry waited out its delay (300 ms, then 4 × 300 ms): lower bounds only.
    expect(flaky.calls[1]! - flaky.calls[0]!).toBeGreaterThanOrEqual(250);
    expect(flaky.calls[2]! - flaky.calls[1]!).toBeGreaterThanOrEqual(1000);
  });

  it('a job waiting out its retry delay is not claimable by any worker until the delay ends', async () => {
    const flaky = flakyStorage((call) => (call === 1 ? ioError() : null));
    const job = await submit();
    startWorker({ storage: flaky.storage, retryDelayMs: 3000 });
    await waitFor(() => flaky.calls.length === 1, { what: 'the first write' });
    const held = await waitFor(async () => {
      const row = await store.getJob(job.id);
      // The ordinary lease is 30 s; the hold shortens it to the retry delay.
      return row && row.leaseExpiresAt && row.leaseExpiresAt.getTime() < Date.now() + 10_000 ? row : null;
    }, { what: 'the lease to be shortened' });
    expect(held.state).toBe('Executing');
    expect(await store.claimJob({ workerId: 'someone-else', leaseMs: 30_000, now: new Date() })).toBeNull();
    const done = await settled(job.id);
    expect(done.state).toBe('Finished');
    expect(done.attempts).toBe(2);
  });

  it('storage always failing: after 3 attempts the job fails with OutputWriteFailed', async () => {
    const flaky = flakyStorage(() => ioError());
    const job = await submit();
    startWorker({ storage: flaky.storage, retryDelayMs: 100 });
    const done = await settled(job.id);
    expect(done.state).toBe('Failed');
    expect(done.errorCode).toBe(JOB_ERROR_CODES.outputWriteFailed);
    expect(done.errorMessage).toContain('faults');
    expect(done.attempts).toBe(3);
    expect(flaky.calls).toHaveLength(3);
  });

  it('ServiceUnavailable (the database unreachable) is infrastructure: retried, then finished', async () => {
    const flaky = flakyStorage((call) => (call === 1 ? errors.serviceUnavailable('the database is unreachable') : null));
    const job = await submit();
    startWorker({ storage: flaky.storage, retryDelayMs: 100 });
    const done = await settled(job.id);
    expect(done.state, `${done.errorCode} ${done.errorMessage}`).toBe('Finished');
    expect(done.attempts).toBe(2);
  });

  it("the job's own failure (an unknown voice) fails it at once", async () => {
    const job = await submit({ editing: '{"voice":"NoSuchVoice","format":"WAV"}' });
    startWorker();
    const done = await settled(job.id);
    expect(done.state).toBe('Failed');
    expect(done.errorCode).toBe('InvalidParameter.Voice');
    expect(done.attempts).toBe(1);
  });
});

describe('C: drain', () => {
  it('with every slot busy, stop() returns after about drainMs and gives the lease back', async () => {
    // Seconds to render (slowed speech is stretched), far beyond the drain: only abandoning and releasing ends it in time.
    const job = await submit({ text: longText(95), editing: '{"voice":"Harry","format":"MP3","sample_rate":48000,"speech_rate":-300}' });
    const queued = await submit({ object: 'out/b' });
    const worker = startWorker({ leaseMs: 600_000, drainMs: 500 });
    await waitFor(() => (worker.progressOf(job.id) ?? -1) >= 0, { what: 'the long job to start' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const began = Date.now();
    await worker.stop();
    const tookMs = Date.now() - began;
    expect(tookMs).toBeLessThan(6000);

    const after = (await store.getJob(job.id))!;
    expect(after.state).toBe('Executing');
    expect(after.leaseOwner).toBeNull();
    expect((await store.getJob(queued.id))!.state).toBe('Created');
    // Claimable at once by another worker, though the lease was ten minutes.
    const reclaimed = await store.claimJob({ workerId: 'next', leaseMs: 30_000, now: new Date() });
    expect(reclaimed?.id).toBe(job.id);
  });
});

describe('D: scratch directory', () => {
  it('removes stale renders and subtitle sidecars on start, and nothing else', async () => {
    const tmpDir = path.join(dir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const job = randomIds.hex32();
    const stale = ['part', 'srt', 'vtt', 'json'].map((ext) => `${job}-0123abcd.${ext}`);
    for (const name of stale) await writeFile(path.join(tmpDir, name), 'left by a killed worker');
    const kept = ['notes.part.txt', `${job}-0123abcd.mp3`, `${job}.srt`];
    for (const name of kept) await writeFile(path.join(tmpDir, name), 'keep');
    startWorker();
    await waitFor(async () => !(await readdir(tmpDir)).some((name) => stale.includes(name)), { what: 'the stale files to go' });
    expect((await readdir(tmpDir)).sort()).toEqual(kept.sort());
  });

  it("keeps the .part file of a job another worker is running under a live lease (a shared data directory)", async () => {
    const tmpDir = path.join(dir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const running = await submit();
    const claimed = await store.claimJob({ workerId: 'other-worker', leaseMs: 600_000, now: new Date() });
    expect(claimed?.id).toBe(running.id);
    const theirs = `${running.id}-0123abcd.part`;
    const leftOver = `${randomIds.hex32()}-4567cdef.part`;
    await writeFile(path.join(tmpDir, theirs), 'a render in progress');
    await writeFile(path.join(tmpDir, leftOver), 'half a render');
    startWorker();
    await waitFor(async () => !(await readdir(tmpDir)).includes(leftOver), { what: 'the left-over file to go' });
    expect(await readdir(tmpDir)).toContain(theirs);
  });

  it('checkScratch passes on a writable directory and names the directory when it cannot write', async () => {
    const good = makeWorker({ tmpDir: path.join(dir, 'scratch') });
    await good.checkScratch();
    expect(await readdir(path.join(dir, 'scratch'))).toEqual([]);

    await writeFile(path.join(dir, 'a-file'), 'not a directory');
    const badDir = path.join(dir, 'a-file', 'tmp');
    const bad = makeWorker({ tmpDir: badDir });
    await expect(bad.checkScratch()).rejects.toThrow(`${badDir} must be writable`);
  });
});

describe('E: readiness of the claim loop', () => {
  it('healthy while idle or busy; unhealthy once a store call hangs', async () => {
    let hang = false;
    const hanging: JobStore = Object.create(store);
    hanging.claimJob = (args) => (hang ? new Promise<never>(() => {}) : store.claimJob(args));
    const worker = startWorker({ store: hanging, stallAfterMs: 1500 });
    expect(worker.lastLoopActivityAt()).not.toBeNull();

    // Idle for longer than the threshold: the wait ends every second, so still healthy.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(worker.isHealthy()).toBe(true);

    // Busy (the only slot taken by a job that outlasts the threshold): still healthy.
    const job = await submit({ text: longText(95), editing: '{"voice":"Harry","format":"PCM","sample_rate":8000}' });
    await waitFor(() => (worker.progressOf(job.id) ?? -1) >= 0, { what: 'the job to start' });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    if ((await store.getJob(job.id))!.state === 'Executing') expect(worker.isHealthy()).toBe(true);
    await settled(job.id);

    hang = true;
    await waitFor(() => !worker.isHealthy(), { what: 'the worker to report the stall', timeoutMs: 10_000 });
    expect(Date.now() - worker.lastLoopActivityAt()!).toBeGreaterThan(1500);
  });
});

describe('F: a worker whose lease was taken over', () => {
  it('does not write over the output of the worker that took the job over', async () => {
    // Seconds to render, so the take-over below happens while the first worker is still rendering.
    const job = await submit({ text: longText(25), editing: '{"voice":"Harry","format":"MP3","speech_rate":-300}', object: 'out/taken', overwrite: true });
    const first = startWorker({ leaseMs: 600_000, drainMs: 120_000 });
    await waitFor(() => (first.progressOf(job.id) ?? -1) >= 0, { what: 'the first worker to start rendering' });

    // Its lease ran out (it was paused, or cut off from the database): a second worker takes the
    // job, stores its output and finishes it.
    const taken = await store.claimJob({ workerId: 'second', leaseMs: 30_000, now: new Date(Date.now() + 601_000) });
    expect(taken?.id).toBe(job.id);
    const source = path.join(dir, 'second-output');
    await writeFile(source, 'the output of the worker that took over');
    await storage.putObject({ bucket: 'faults', key: 'out/taken.mp3', sourcePath: source, contentType: 'audio/mpeg', overwrite: true });
    const result = { bucket: 'faults', key: 'out/taken.mp3', format: 'mp3' as const, sampleRate: 48000, bytes: 39, durationMs: 1, aiResult: '[]' };
    expect(await store.completeJob({ jobId: job.id, workerId: 'second', now: new Date(Date.now() + 602_000), outcome: { state: 'Finished', result } })).toBe(true);

    // The first worker comes back to it, finishes rendering and lets go.
    await waitFor(() => first.progressOf(job.id) === undefined, { timeoutMs: 120_000, what: 'the first worker to let go of the job' });
    const stored = await storage.getObject({ bucket: 'faults', key: 'out/taken.mp3' });
    const chunks: Buffer[] = [];
    for await (const chunk of stored!.body) chunks.push(Buffer.from(chunk as Uint8Array));
    expect(Buffer.concat(chunks).toString('utf8')).toBe('the output of the worker that took over');
    expect(await store.getJob(job.id)).toMatchObject({ state: 'Finished', leaseOwner: 'second', result });
    expect(unhandled).toEqual([]);
  });
});

describe('G: a job that keeps stopping its workers', () => {
  it('is failed with InternalError once claimed more than maxClaims times, instead of run again', async () => {
    const job = await submit();
    // Ten workers each claimed it and died: every lease ran out, with no outcome recorded.
    const past = Date.now() - 600_000;
    for (let n = 1; n <= 10; n++) {
      expect((await store.claimJob({ workerId: `died-${n}`, leaseMs: 1, now: new Date(past + n * 10) }))?.id).toBe(job.id);
    }
    startWorker({ maxClaims: 10 });
    const failed = await settled(job.id);
    expect(failed).toMatchObject({ state: 'Failed', errorCode: JOB_ERROR_CODES.internal, attempts: 11 });
    expect(failed.errorMessage).toContain('claimed 11 times');
    expect(await storage.headObject({ bucket: 'faults', key: 'out/a.wav' })).toBeNull();
  });

  it('still runs a job claimed maxClaims times', async () => {
    const job = await submit();
    const past = Date.now() - 600_000;
    for (let n = 1; n <= 9; n++) await store.claimJob({ workerId: `died-${n}`, leaseMs: 1, now: new Date(past + n * 10) });
    startWorker({ maxClaims: 10 });
    expect(await settled(job.id)).toMatchObject({ state: 'Finished', attempts: 10 });
  });
});
