/**
 * The worker: claims jobs from the store, renders them, stores the audio atomically and
 * completes the job (with its callback delivery) in one transaction. Any crash before that
 * transaction leaves the job Executing with a lease that expires, and another worker redoes it.
 *
 * Failures split in two: the job's own (bad input, the engine refusing the text, Overwrite=false
 * hitting an object) fail it at once; infrastructure failures (storage, database, scratch disk)
 * put it back for a later attempt, up to maxAttempts. Nothing a job does may reject into the
 * claim loop: one job's trouble must never take the process down.
 */
import { mkdir, open, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../shared/logger.js';
import type { Clock } from '../shared/clock.js';
import { sleep } from '../shared/timers.js';
import type { Ids } from '../shared/ids.js';
import { AppError, JOB_ERROR_CODES, coerceError } from '../shared/errors.js';
import type { JobRecord, JobResult, JobStore, NewDelivery } from '../store/store.types.js';
import { BucketNotFoundError, ObjectExistsError, type ObjectStorage } from '../storage/storage.types.js';
import { outputKey } from '../storage/object-key.models.js';
import { parseEditingConfig } from '../jobs/editing-config.models.js';
import type { SpeechPlan, RenderResult } from '../speech/speech.types.js';
import type { EditingConfig } from '../jobs/editing-config.models.js';
import { CONTENT_TYPES } from '../audio/content-types.js';

export interface SpeechRenderer {
  prepare(args: { inputText: string; editing: EditingConfig }): SpeechPlan;
  render(args: {
    plan: SpeechPlan;
    write: (chunk: Uint8Array) => Promise<void>;
    signal: AbortSignal;
    onProgress?: (fraction: number) => void;
    wordTimings?: boolean;
  }): Promise<RenderResult & { header?: Uint8Array }>;
}

/** Files written beside the audio (subtitles), produced from the render result. */
export type SidecarWriter = (args: { job: JobRecord; editing: EditingConfig; result: RenderResult; audioKey: string }) => Promise<string[]>;

export interface WorkerDeps {
  store: JobStore;
  storage: ObjectStorage;
  speech: SpeechRenderer;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  /** Builds the completion delivery for a job's final state, or null when it has no callback target. */
  deliveryFor: (args: { job: JobRecord; state: 'Finished' | 'Failed'; result?: JobResult; errorCode?: string; errorMessage?: string }) => Promise<NewDelivery | null>;
  writeSidecars?: SidecarWriter;
  concurrency: number;
  leaseMs: number;
  /** Scratch space for renders in progress. */
  tmpDir?: string;
  workerId?: string;
  /** How long stop() waits for jobs in hand before giving their leases back. */
  drainMs?: number;
  /** Called after each job completes (metrics). */
  onJobDone?: (args: { job: JobRecord; state: 'Finished' | 'Failed'; queueWaitMs: number; renderMs: number; audioMs: number }) => void;
  /** Claims (attempts) after which an infrastructure failure fails the job for good (default 3). */
  maxAttempts?: number;
  /**
   * Claims after which a job is failed instead of run again (default 10): one that keeps stopping
   * the workers running it (a crash, an out-of-memory kill) must not take them down for ever.
   */
  maxClaims?: number;
  /** Delay before a job put back after an infrastructure failure may run again; ×4 per attempt (default 5000). */
  retryDelayMs?: number;
  /** First pause between tries of a failing completion; ×4 per try, 3 retries (default 250). */
  completionRetryMs?: number;
  /**
   * isHealthy() turns false once the claim loop made no progress for this long (default 45000):
   * above its longest legitimate step, a claim the store itself gives up on (PostgreSQL: 5 s pool
   * connect + 35 s query timeout; SQLite: 5 s busy timeout), plus three 1 s polls. So false means
   * a call escaped every store timeout, not merely a slow database (/readyz checks that itself).
   */
  stallAfterMs?: number;
}

/**
 * Scratch files of a job in progress: its render, `<jobId>-<8 hex>.part` (renderToFile), and its
 * subtitle sidecars before upload, `<jobId>-<8 hex>.srt|vtt|json` (subtitle-sidecars.ts).
 */
const SCRATCH_FILE = /^[0-9a-f]{32}-[0-9a-f]{8}\.(?:part|srt|vtt|json)$/;
/** How long waitForWork waits per turn; the loop also wakes this often while every slot is busy. */
const POLL_MS = 1000;

/** A job's failure: its own (final at once), or the infrastructure's (worth another attempt). */
type Failure = { kind: 'job'; code: string; message: string } | { kind: 'infrastructure'; code: string; message: string };

export function createWorker(deps: WorkerDeps) {
  const workerId = deps.workerId ?? `${os.hostname()}:${process.pid}:${deps.ids.hex32().slice(0, 8)}`;
  const tmpDir = deps.tmpDir ?? path.join(os.tmpdir(), 'narrate-render');
  const log = deps.logger.child({ workerId });
  const maxAttempts = deps.maxAttempts ?? 3;
  const maxClaims = deps.maxClaims ?? 10;
  const retryDelayMs = deps.retryDelayMs ?? 5000;
  const completionRetryMs = deps.completionRetryMs ?? 250;
  const stallAfterMs = deps.stallAfterMs ?? 45_000;
  const inFlight = new Map<string, { controller: AbortController; done: Promise<void> }>();
  /** Jobs put back with a short lease after an infrastructure failure: jobId → when that lease ends (ms). */
  const heldForRetry = new Map<string, number>();
  const stopController = new AbortController();
  let loop: Promise<void> | null = null;
  let stopping: Promise<void> | null = null;
  /** Date.now() of the claim loop's last completed step (claim attempt, wait, busy tick); null before start. */
  let lastActivity: number | null = null;
  const touch = () => {
    lastActivity = Date.now();
  };

  const progress = new Map<string, number>();

  /**
   * A job's percent done: kept in memory for this process (single-process progress is live) and
   * persisted at most once a second, so api processes on other machines can report it too.
   */
  function progressReporter(job: JobRecord) {
    let last = -1;
    let lastPersisted = 0;
    let persisting: Promise<unknown> | null = null;
    progress.set(job.id, 0);
    return {
      report(fraction: number) {
        const percent = Math.min(99, Math.floor(fraction * 100));
        if (percent === last) return;
        last = percent;
        progress.set(job.id, percent);
        const now = Date.now();
        if (now - lastPersisted < 1000 || persisting) return;
        lastPersisted = now;
        persisting = deps.store
          .renewLease({ jobId: job.id, workerId, leaseMs: deps.leaseMs, now: deps.clock(), progress: percent })
          .catch(() => false)
          .finally(() => {
            persisting = null;
          });
      },
      settled: () => persisting,
    };
  }

  async function renderToFile(job: JobRecord, plan: SpeechPlan, editing: EditingConfig, signal: AbortSignal) {
    await mkdir(tmpDir, { recursive: true });
    const file = path.join(tmpDir, `${job.id}-${deps.ids.hex32().slice(0, 8)}.part`);
    const handle = await open(file, 'w');
    const reporter = progressReporter(job);
    try {
      let position = 0;
      const result = await deps.speech.render({
        plan,
        signal,
        // Word timings cost nothing extra with eSpeak; they are kept where a client asked for them.
        wordTimings: editing.word_timings === true || (editing.subtitles ?? []).includes('json'),
        write: async (chunk) => {
          await handle.write(chunk, 0, chunk.length, position);
          position += chunk.length;
        },
        onProgress: reporter.report,
      });
      await reporter.settled();
      if (result.header) await handle.write(result.header, 0, result.header.length, 0);
      await handle.sync();
      await handle.close();
      return { file, result };
    } catch (error) {
      // A progress write landing later could lengthen a retry's shortened lease again.
      await reporter.settled();
      await handle.close().catch(() => {});
      // The render's error is the one worth reporting, not a failed clean-up.
      await rm(file, { force: true }).catch(() => {});
      throw error;
    }
  }

  type Outcome = { state: 'Finished'; result: JobResult } | { state: 'Failed'; errorCode: string; errorMessage: string };

  async function complete(job: JobRecord, outcome: Outcome) {
    const delivery = await deps.deliveryFor({
      job,
      state: outcome.state,
      result: outcome.state === 'Finished' ? outcome.result : undefined,
      errorCode: outcome.state === 'Failed' ? outcome.errorCode : undefined,
      errorMessage: outcome.state === 'Failed' ? outcome.errorMessage : undefined,
    });
    const ok = await deps.store.completeJob({ jobId: job.id, workerId, now: deps.clock(), outcome, delivery: delivery ?? undefined });
    if (!ok) log.warn({ jobId: job.id }, 'lease lost before completion; another worker owns the job now');
    return ok;
  }

  /**
   * complete() with a few quick retries, for a database that blinked. Never throws. 'unrecorded'
   * leaves the job to its lease: it runs again later (a Finished job's audio is already stored, and
   * the re-run may replace its own object), and is never turned into Failed here.
   */
  async function completeWithRetries(job: JobRecord, outcome: Outcome, signal: AbortSignal, jobLog: Logger): Promise<'done' | 'lost' | 'unrecorded'> {
    for (let attempt = 0; ; attempt++) {
      try {
        return (await complete(job, outcome)) ? 'done' : 'lost';
      } catch (error) {
        if (attempt >= 3 || signal.aborted) {
          jobLog.error({ err: coerceError(error), state: outcome.state }, 'recording the job outcome failed; the job is left to its lease and will run again');
          return 'unrecorded';
        }
        jobLog.warn({ err: coerceError(error), state: outcome.state }, 'recording the job outcome failed; retrying');
        await sleep(completionRetryMs * 4 ** attempt, signal);
      }
    }
  }

  /**
   * Puts a job back for a later attempt. releaseJob would make it claimable at once (and this very
   * worker would likely take it straight back), so instead the lease is shortened to the delay:
   * every worker then sees the job as claimable only once the delay has passed. If even that write
   * fails, the job still runs again when its ordinary lease runs out.
   */
  async function holdForRetry(job: JobRecord, delayMs: number, jobLog: Logger) {
    try {
      const held = await deps.store.renewLease({ jobId: job.id, workerId, leaseMs: delayMs, now: deps.clock() });
      const now = Date.now();
      // Entries of jobs another worker re-ran are never removed by their own run here.
      for (const [jobId, until] of heldForRetry) if (until <= now) heldForRetry.delete(jobId);
      if (held) heldForRetry.set(job.id, now + delayMs);
    } catch (error) {
      jobLog.warn({ err: coerceError(error) }, 'shortening the lease for a retry failed; the job runs again when its lease ends');
    }
  }

  async function runJob(job: JobRecord, controller: AbortController): Promise<void> {
    const started = Date.now();
    const queueWaitMs = Math.max(0, deps.clock().getTime() - job.createdAt.getTime());
    const jobLog = log.child({ jobId: job.id, attempt: job.attempts });
    heldForRetry.delete(job.id);
    if (job.attempts > maxClaims) {
      // Each earlier run ended without an outcome: its worker died or lost the job. Claims go to the
      // oldest job first, so such a job would otherwise stop one worker after another, for good.
      const errorMessage = `The job was claimed ${job.attempts} times and never finished: every run ended without an outcome (its worker crashed, was killed or lost the job); the server log has the details.`;
      jobLog.error({ attempts: job.attempts, maxClaims }, 'job claimed too many times without finishing; failing it');
      if ((await completeWithRetries(job, { state: 'Failed', errorCode: JOB_ERROR_CODES.internal, errorMessage }, controller.signal, jobLog)) === 'done') {
        deps.onJobDone?.({ job, state: 'Failed', queueWaitMs, renderMs: 0, audioMs: 0 });
      }
      return;
    }
    // Renew well before the lease runs out; losing it means another worker may take the job, so stop.
    const renewEvery = Math.max(1000, Math.floor(deps.leaseMs / 3));
    let renewing: Promise<unknown> | null = null;
    const renew = () => deps.store.renewLease({ jobId: job.id, workerId, leaseMs: deps.leaseMs, now: deps.clock(), progress: progress.get(job.id) });
    const renewTimer = setInterval(() => {
      renewing = renew()
        .then((held) => {
          if (!held) {
            jobLog.warn('lease lost; abandoning the job');
            controller.abort(new Error('lease lost'));
          }
        })
        .catch((error) => jobLog.warn({ err: coerceError(error) }, 'lease renewal failed'));
    }, renewEvery);
    /**
     * Renews the lease right before the output is written, and abandons the job when another worker
     * holds it now. A worker that was paused, or cut off from the database, while it rendered must not
     * write over what the new owner (or a later job on the same key) has stored since; the fresh lease
     * then covers the write itself.
     */
    const confirmLease = async () => {
      if (!(await renew())) {
        jobLog.warn('lease lost before the output was written; abandoning the job');
        controller.abort(new Error('lease lost'));
        throw new Error('lease lost');
      }
    };
    let stage: 'render' | 'write' = 'render';
    try {
      let jobResult: JobResult;
      try {
        const editing = parseEditingConfig(job.editingConfig);
        const plan = deps.speech.prepare({ inputText: job.inputText, editing });
        const key = outputKey({ object: job.outputObject, format: plan.format });
        const overwrite = job.overwrite || (await mayReplaceExisting(job, key));

        const { file, result } = await renderToFile(job, plan, editing, controller.signal);
        try {
          await confirmLease();
          stage = 'write';
          await deps.storage.putObject({ bucket: job.outputBucket, key, sourcePath: file, contentType: CONTENT_TYPES[plan.format], overwrite });
        } finally {
          await rm(file, { force: true }).catch(() => {});
        }
        const extraKeys = deps.writeSidecars ? await deps.writeSidecars({ job, editing, result, audioKey: key }) : [];
        jobResult = {
          bucket: job.outputBucket,
          key,
          format: plan.format,
          sampleRate: plan.sampleRate,
          bytes: result.bytes,
          durationMs: result.durationMs,
          aiResult: JSON.stringify(editing.word_timings ? result.timings : result.timings.map(({ words: _words, ...sentence }) => sentence)),
          extraKeys,
        };
      } catch (error) {
        if (controller.signal.aborted) {
          jobLog.info('job abandoned (shutdown or lost lease)');
          return;
        }
        const failure = failureOf(error, job, stage);
        if (failure.kind === 'infrastructure' && job.attempts < maxAttempts) {
          const delayMs = retryDelayMs * 4 ** (job.attempts - 1);
          jobLog.warn({ err: coerceError(error), stage, delayMs }, 'infrastructure failure; the job will run again');
          // A renewal still in flight must not land after the short lease and lengthen it again.
          clearInterval(renewTimer);
          await renewing;
          await holdForRetry(job, delayMs, jobLog);
          return;
        }
        jobLog.warn({ errorCode: failure.code, err: coerceError(error), stage }, 'job failed');
        if ((await completeWithRetries(job, { state: 'Failed', errorCode: failure.code, errorMessage: failure.message }, controller.signal, jobLog)) === 'done') {
          deps.onJobDone?.({ job, state: 'Failed', queueWaitMs, renderMs: Date.now() - started, audioMs: 0 });
        }
        return;
      }
      if (controller.signal.aborted) return;
      if ((await completeWithRetries(job, { state: 'Finished', result: jobResult }, controller.signal, jobLog)) === 'done') {
        jobLog.info({ durationMs: jobResult.durationMs, renderMs: Date.now() - started }, 'job finished');
        deps.onJobDone?.({ job, state: 'Finished', queueWaitMs, renderMs: Date.now() - started, audioMs: jobResult.durationMs });
      }
    } catch (error) {
      // Only a bug gets here (a throwing metrics hook, say); the job is left to its lease.
      jobLog.error({ err: coerceError(error) }, 'unexpected error while running a job');
    } finally {
      clearInterval(renewTimer);
      progress.delete(job.id);
    }
  }

  /**
   * Overwrite=false protects objects that existed before the job: one found now fails the job before
   * anything is rendered (the conditional write still decides races). A job re-run after a crash may
   * find its own object from the earlier attempt: an object newer than the job itself is taken to be
   * that output and may be replaced. (Documented: another writer racing into the same key while the
   * job runs would be overwritten on a re-run.)
   */
  async function mayReplaceExisting(job: JobRecord, key: string): Promise<boolean> {
    const info = await deps.storage.headObject({ bucket: job.outputBucket, key });
    if (info === null) return false;
    if (job.attempts > 1 && info.modifiedAt.getTime() >= job.createdAt.getTime() - 1000) return true;
    throw new ObjectExistsError(job.outputBucket, key);
  }

  /**
   * The job's own failures are AppErrors about its input (and ServiceUnavailable is not one: the
   * stores throw it when the database is unreachable). Anything else is the infrastructure's.
   */
  function failureOf(error: unknown, job: JobRecord, stage: 'render' | 'write'): Failure {
    if (error instanceof BucketNotFoundError) {
      return { kind: 'job', code: JOB_ERROR_CODES.bucketNotFound, message: `The bucket ${error.bucket} does not exist in the object store; create it, or name an existing one in OutputConfig.` };
    }
    if (error instanceof ObjectExistsError) {
      return { kind: 'job', code: JOB_ERROR_CODES.objectExists, message: `The object ${error.bucket}/${error.key} already exists and Overwrite is false.` };
    }
    if (error instanceof AppError && !error.isInternal && error.code !== 'ServiceUnavailable') return { kind: 'job', code: error.code, message: error.message };
    if (stage === 'write') {
      return {
        kind: 'infrastructure',
        code: JOB_ERROR_CODES.outputWriteFailed,
        message: `Writing the output to the bucket ${job.outputBucket} failed on ${job.attempts} attempts; the server log has the details.`,
      };
    }
    return { kind: 'infrastructure', code: JOB_ERROR_CODES.internal, message: 'The job failed because of an internal error; the server log has the details.' };
  }

  /**
   * Removes scratch files a killed worker left behind; only a job's own scratch names. A file
   * whose job another worker is running under a live lease is that worker's render in progress (two
   * workers may share a data directory, as local buckets need), so it stays.
   */
  async function sweepScratch() {
    let names: string[];
    try {
      names = await readdir(tmpDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ err: coerceError(error), tmpDir }, 'cannot list the scratch directory');
      return;
    }
    const isStale = async (name: string) => {
      if (!SCRATCH_FILE.test(name)) return false;
      const job = await deps.store.getJob(name.slice(0, 32)).catch(() => undefined);
      // Unknown (the store did not answer): kept; the next start looks again.
      if (job === undefined) return false;
      const running = job !== null && job.state === 'Executing' && job.leaseExpiresAt !== null && job.leaseExpiresAt.getTime() > deps.clock().getTime();
      return !running;
    };
    const stale = (await Promise.all(names.map(async (name) => ((await isStale(name)) ? name : null)))).filter((name): name is string => name !== null);
    await Promise.all(stale.map((name) => rm(path.join(tmpDir, name), { force: true }).catch((error) => log.warn({ err: coerceError(error), file: name }, 'cannot remove a stale scratch file'))));
    if (stale.length > 0) log.info({ tmpDir, removed: stale.length }, 'removed scratch files left by an earlier run');
  }

  async function claimLoop() {
    const signal = stopController.signal;
    touch();
    await sweepScratch();
    while (!signal.aborted) {
      if (inFlight.size >= deps.concurrency) {
        // Wakes on a free slot, on stop, and every POLL_MS so a busy loop still counts as alive.
        await Promise.race([...[...inFlight.values()].map((entry) => entry.done), sleep(POLL_MS, signal)]);
        touch();
        continue;
      }
      let job: JobRecord | null = null;
      try {
        job = await deps.store.claimJob({ workerId, leaseMs: deps.leaseMs, now: deps.clock() });
      } catch (error) {
        touch();
        log.error({ err: coerceError(error) }, 'claiming a job failed; retrying');
        // A database that fails fast must not turn this loop into a busy spin.
        await sleep(POLL_MS, signal);
        touch();
        continue;
      }
      touch();
      if (!job) {
        await deps.store.waitForWork({ timeoutMs: POLL_MS, signal, waiter: 'jobs' }).catch(() => sleep(POLL_MS, signal));
        touch();
        continue;
      }
      if (signal.aborted) {
        // Claimed while stop() began: hand it straight back rather than start it.
        await deps.store.releaseJob({ jobId: job.id, workerId, now: deps.clock() }).catch(() => {});
        break;
      }
      const controller = new AbortController();
      const claimed = job;
      const done = runJob(claimed, controller)
        .catch((error) => log.error({ err: coerceError(error), jobId: claimed.id }, 'unexpected error from a job'))
        .finally(() => inFlight.delete(claimed.id));
      inFlight.set(claimed.id, { controller, done });
    }
  }

  async function drainAndStop() {
    const drainMs = deps.drainMs ?? 10_000;
    // The drain clock starts now, whatever the loop is doing (it may be stuck in a store call).
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), drainMs).unref());
    stopController.abort();
    await Promise.race([loop ?? Promise.resolve(), timeout]);
    const drain = Promise.all([...inFlight.values()].map((entry) => entry.done));
    if ((await Promise.race([drain.then(() => 'drained' as const), timeout])) === 'timeout') {
      const now = deps.clock();
      const entries = [...inFlight];
      for (const [, entry] of entries) entry.controller.abort(new Error('shutdown'));
      await Promise.all(entries.map(([jobId]) => deps.store.releaseJob({ jobId, workerId, now }).catch(() => {})));
      // Renders stop at their next abort check; a call that ignores the signal is not waited for long.
      await Promise.race([drain, sleep(2000)]);
    }
    // Jobs waiting out a retry delay go back now, so another worker may take them.
    const now = Date.now();
    const held = [...heldForRetry].filter(([, until]) => until > now).map(([jobId]) => jobId);
    heldForRetry.clear();
    await Promise.all(held.map((jobId) => deps.store.releaseJob({ jobId, workerId, now: deps.clock() }).catch(() => {})));
  }

  return {
    workerId,
    /** Percent done of the jobs this worker is rendering now. */
    progressOf: (jobId: string) => progress.get(jobId),
    start() {
      if (!loop) loop = claimLoop();
    },
    /**
     * Creates the scratch directory and writes a file in it. Call before start(): a worker that
     * cannot write there would fail every job, so it should refuse to start instead.
     */
    async checkScratch() {
      const probe = path.join(tmpDir, `.write-check-${process.pid}-${deps.ids.hex32().slice(0, 8)}`);
      try {
        await mkdir(tmpDir, { recursive: true });
        await writeFile(probe, 'ok');
        await rm(probe, { force: true });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`The worker's scratch directory ${tmpDir} must be writable: ${reason}`, { cause: error });
      }
    },
    /** When the claim loop last completed a step (ms since the epoch), or null before start(). */
    lastLoopActivityAt: () => lastActivity,
    /** False before start(), after stop(), and when the claim loop has been stuck for stallAfterMs (a hung store call). */
    isHealthy(now: number = Date.now()) {
      if (lastActivity === null || stopController.signal.aborted) return false;
      return now - lastActivity <= stallAfterMs;
    },
    /** Stops claiming; waits up to drainMs for jobs in hand, then abandons them and gives their leases back. */
    stop() {
      stopping ??= drainAndStop();
      return stopping;
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;
