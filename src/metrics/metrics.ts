/**
 * Prometheus metrics. One registry per process (tests build their own), filled by the worker,
 * the callback dispatcher and an HTTP hook; job counts by state are read from the store at scrape
 * time, so every api process reports the same queue depth.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobStore } from '../store/store.types.js';

export function createMetrics({ store, defaultMetrics = true }: { store: Pick<JobStore, 'countJobsByState'>; defaultMetrics?: boolean }) {
  const registry = new Registry();
  if (defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'narrate_' });

  const jobsByState = new Gauge({
    name: 'narrate_jobs',
    help: 'Jobs in the store by state.',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await store.countJobsByState();
      for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
    },
  });
  const queueDepth = new Gauge({
    name: 'narrate_queue_depth',
    help: 'Jobs waiting for a worker (state Created).',
    registers: [registry],
    async collect() {
      this.set((await store.countJobsByState()).Created);
    },
  });
  const jobsCompleted = new Counter({ name: 'narrate_jobs_completed_total', help: 'Jobs this process completed, by final state.', labelNames: ['state'], registers: [registry] });
  const queueWait = new Histogram({
    name: 'narrate_queue_wait_seconds',
    help: 'Time from submit to the start of the run that completed the job.',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const synthesis = new Histogram({
    name: 'narrate_synthesis_seconds',
    help: 'Wall time to render a job (synthesis, encoding, storage).',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const realTimeFactor = new Histogram({
    name: 'narrate_real_time_factor',
    help: 'Render time divided by audio duration (lower is faster; 0.1 = ten times faster than real time).',
    buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2],
    registers: [registry],
  });
  const callbacks = new Counter({ name: 'narrate_callbacks_total', help: 'Callback delivery attempts by outcome.', labelNames: ['outcome'], registers: [registry] });
  const http = new Histogram({
    name: 'narrate_http_request_duration_seconds',
    help: 'HTTP request latency by route.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const speechRequests = new Counter({
    name: 'narrate_speech_requests_total',
    help: 'OpenAI-compatible /v1/audio/speech streams by format and outcome (completed, aborted by the client, failed).',
    labelNames: ['format', 'outcome'],
    registers: [registry],
  });
  const speechActive = new Gauge({ name: 'narrate_speech_streams_active', help: 'Speech streams being synthesised right now.', registers: [registry] });
  const speechFirstByte = new Histogram({
    name: 'narrate_speech_first_byte_seconds',
    help: 'Time from a /v1/audio/speech request to its first audio bytes leaving the server.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  void jobsByState;
  void queueDepth;

  return {
    registry,
    jobDone({ state, queueWaitMs, renderMs, audioMs }: { state: 'Finished' | 'Failed'; queueWaitMs: number; renderMs: number; audioMs: number }) {
      jobsCompleted.inc({ state });
      queueWait.observe(queueWaitMs / 1000);
      synthesis.observe(renderMs / 1000);
      if (state === 'Finished' && audioMs > 0) realTimeFactor.observe(renderMs / audioMs);
    },
    callbackOutcome(outcome: 'delivered' | 'retry' | 'dead') {
      callbacks.inc({ outcome });
    },
    /** One streamed speech response: call firstByte() when audio first leaves, end() exactly once. */
    speechStream({ format }: { format: string }) {
      const started = process.hrtime.bigint();
      let sawFirstByte = false;
      let ended = false;
      speechActive.inc();
      return {
        firstByte() {
          if (sawFirstByte) return;
          sawFirstByte = true;
          speechFirstByte.observe(Number(process.hrtime.bigint() - started) / 1e9);
        },
        end(outcome: 'completed' | 'aborted' | 'failed') {
          if (ended) return;
          ended = true;
          speechActive.dec();
          speechRequests.inc({ format, outcome });
        },
      };
    },
    httpRequest({ method, route, status, seconds }: { method: string; route: string; status: number; seconds: number }) {
      http.observe({ method, route, status: String(status) }, seconds);
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
