/**
 * The worker: claims jobs from the store, renders them, stores the audio atomically and
 * completes the job (with its callback delivery) in one transaction. Any crash before that
 * transaction leaves the job Executing with a lease that expires, and another worker redoes it.
 */
import { mkdir, open, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../shared/logger.js';
import type { Clock } from '../shared/clock.js';
import type { Ids } from '../shared/ids.js';
import { AppError, JOB_ERROR_CODES, coerceError } from '../shared/errors.js';
import type { JobRecord, JobResult, JobStore, NewDelivery } from '../store/store.types.js';
import { ObjectExistsError, type ObjectStorage } from '../storage/storage.types.js';
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
}

export function createWorker(deps: WorkerDeps) {
  const workerId = deps.workerId ?? `${os.hostname()}:${process.pid}:${deps.ids.hex32().slice(0, 8)}`;
  const tmpDir = deps.tmpDir ?? path.join(os.tmpdir(), 'narrate-render');
  const log = deps.logger.child({ workerId });
  const inFlight = new Map<string, { controller: AbortController; done: Promise<void> }>();
  const stopController = new AbortController();
  let loop: Promise<void> | null = null;

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
      await handle.close().catch(() => {});
      await rm(file, { force: true });
      throw error;
    }
  }

  async function complete(job: JobRecord, outcome: { state: 'Finished'; result: JobResult } | { state: 'Failed'; errorCode: string; errorMessage: string }) {
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

  async function runJob(job: JobRecord, controller: AbortController) {
    const started = Date.now();
    const queueWaitMs = Math.max(0, deps.clock().getTime() - job.createdAt.getTime());
    const jobLog = log.child({ jobId: job.id, attempt: job.attempts });
    // Renew well before the lease runs out; losing it means another worker may take the job, so stop.
    const renewEvery = Math.max(1000, Math.floor(deps.leaseMs / 3));
    const renewTimer = setInterval(() => {
      deps.store
        .renewLease({ jobId: job.id, workerId, leaseMs: deps.leaseMs, now: deps.clock(), progress: progress.get(job.id) })
        .then((held) => {
          if (!held) {
            jobLog.warn('lease lost; abandoning the job');
            controller.abort(new Error('lease lost'));
          }
        })
        .catch((error) => jobLog.warn({ err: coerceError(error) }, 'lease renewal failed'));
    }, renewEvery);
    try {
      const editing = parseEditingConfig(job.editingConfig);
      const plan = deps.speech.prepare({ inputText: job.inputText, editing });
      const key = outputKey({ object: job.outputObject, format: plan.format });
      const overwrite = job.overwrite || (await mayReplaceExisting(job, key));

      const { file, result } = await renderToFile(job, plan, editing, controller.signal);
      try {
        await deps.storage.putObject({ bucket: job.outputBucket, key, sourcePath: file, contentType: CONTENT_TYPES[plan.format], overwrite });
      } finally {
        await rm(file, { force: true });
      }
      const extraKeys = deps.writeSidecars ? await deps.writeSidecars({ job, editing, result, audioKey: key }) : [];
      const jobResult: JobResult = {
        bucket: job.outputBucket,
        key,
        format: plan.format,
        sampleRate: plan.sampleRate,
        bytes: result.bytes,
        durationMs: result.durationMs,
        aiResult: JSON.stringify(editing.word_timings ? result.timings : result.timings.map(({ words: _words, ...sentence }) => sentence)),
        extraKeys,
      };
      if (controller.signal.aborted) return;
      if (await complete(job, { state: 'Finished', result: jobResult })) {
        jobLog.info({ durationMs: result.durationMs, renderMs: Date.now() - started }, 'job finished');
        deps.onJobDone?.({ job, state: 'Finished', queueWaitMs, renderMs: Date.now() - started, audioMs: result.durationMs });
      }
    } catch (error) {
      if (controller.signal.aborted) {
        jobLog.info('job abandoned (shutdown or lost lease)');
        return;
      }
      const { code, message } = failureOf(error);
      jobLog.warn({ errorCode: code, err: coerceError(error) }, 'job failed');
      if (await complete(job, { state: 'Failed', errorCode: code, errorMessage: message })) {
        deps.onJobDone?.({ job, state: 'Failed', queueWaitMs, renderMs: Date.now() - started, audioMs: 0 });
      }
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

  function failureOf(error: unknown): { code: string; message: string } {
    if (error instanceof ObjectExistsError) {
      return { code: JOB_ERROR_CODES.objectExists, message: `The object ${error.bucket}/${error.key} already exists and Overwrite is false.` };
    }
    if (error instanceof AppError && !error.isInternal) return { code: error.code, message: error.message };
    return { code: JOB_ERROR_CODES.internal, message: 'The job failed because of an internal error; the server log has the details.' };
  }

  async function claimLoop() {
    const signal = stopController.signal;
    while (!signal.aborted) {
      if (inFlight.size >= deps.concurrency) {
        await Promise.race([...inFlight.values()].map((entry) => entry.done));
        continue;
      }
      let job: JobRecord | null = null;
      try {
        job = await deps.store.claimJob({ workerId, leaseMs: deps.leaseMs, now: deps.clock() });
      } catch (error) {
        log.error({ err: coerceError(error) }, 'claiming a job failed; retrying');
      }
      if (!job) {
        await deps.store.waitForWork({ timeoutMs: 1000, signal }).catch(() => {});
        continue;
      }
      const controller = new AbortController();
      const claimed = job;
      const done = runJob(claimed, controller).finally(() => inFlight.delete(claimed.id));
      inFlight.set(claimed.id, { controller, done });
    }
  }

  return {
    workerId,
    /** Percent done of the jobs this worker is rendering now. */
    progressOf: (jobId: string) => progress.get(jobId),
    start() {
      if (!loop) loop = claimLoop();
    },
    /** Stops claiming; waits up to drainMs for jobs in hand, then abandons them and gives their leases back. */
    async stop() {
      stopController.abort();
      await loop;
      const drain = Promise.all([...inFlight.values()].map((entry) => entry.done));
      const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), deps.drainMs ?? 10_000).unref());
      if ((await Promise.race([drain.then(() => 'drained' as const), timeout])) === 'timeout') {
        for (const [jobId, entry] of inFlight) {
          entry.controller.abort(new Error('shutdown'));
          await deps.store.releaseJob({ jobId, workerId, now: deps.clock() }).catch(() => {});
        }
        await drain;
      }
    },
  };
}

export type Worker = ReturnType<typeof createWorker>;
