/**
 * The composition root: builds every part from the configuration and wires them together.
 * `narrate serve` runs api + worker + callback dispatcher; `narrate api` and `narrate worker`
 * run one role each against a shared database and object store.
 */
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerHealthRoutes, type ReadinessCheck } from '../api/health/health.routes.js';
import type { Config } from '../config/config.js';
import type { Logger } from '../shared/logger.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { randomIds, type Ids } from '../shared/ids.js';
import { createStore } from '../store/create-store.js';
import type { JobStore } from '../store/store.types.js';
import { createStorage } from '../storage/create-storage.js';
import type { ObjectStorage } from '../storage/storage.types.js';
import { createEspeakEngine } from '../engine/espeak.engine.js';
import { createSherpaEngine } from '../engine/sherpa.engine.js';
import type { TtsEngine } from '../engine/engine.types.js';
import { createVoiceResolver, type VoiceResolver } from '../voices/voice-resolver.models.js';
import { loadPackCatalog } from '../voices/pack-catalog.models.js';
import { createSpeechService, type SpeechService } from '../speech/speech.service.js';
import { createJobService } from '../jobs/jobs.service.js';
import { createWorker, type Worker } from '../worker/worker.js';
import { createServer } from '../api/server.js';
import { createIceAuthenticator } from '../api/ice/ice.auth.js';
import { createRateLimiter } from '../api/ice/ice.rate-limit.js';
import { createIceActions } from '../api/ice-actions/ice-actions.js';
import { createMetrics, type Metrics } from '../metrics/metrics.js';
import { validateNotifyAddress, notifyTargetOf } from '../notify/notify-target.models.js';
import { createDeliveryForJob } from '../notify/callback-event.models.js';
import { loadEventCallbackSettings } from '../notify/event-callback.usecases.js';
import { createCallbackDispatcher, type CallbackDispatcher } from '../notify/callback-dispatcher.js';
import { createCallbackHttpClient } from '../notify/callback-http.client.js';
import { retryPolicyFrom } from '../notify/retry-policy.models.js';
import { createSubtitleWriter } from '../subtitles/subtitle-sidecars.js';
import { userIdOf } from '../api/ice-actions/job-format.js';
import { createKeyring, parseAccessKeys } from './keys.js';
import { loadOrCreateUrlSecret, withSignedUrls } from './signed-local-storage.js';
import { registerJobEventRoutes } from '../api/events/job-events.routes.js';
import { registerConsoleRoutes } from '../api/console/console.routes.js';
import { registerMetricsRoute } from '../api/health/metrics.routes.js';

export interface NarrateRoles {
  api: boolean;
  worker: boolean;
}

export interface Narrate {
  config: Readonly<Config>;
  store: JobStore;
  storage: ObjectStorage;
  speech: SpeechService;
  metrics: Metrics;
  app: FastifyInstance | null;
  worker: Worker | null;
  dispatcher: CallbackDispatcher | null;
  /** What the voice names map to right now. */
  voiceResolver(): VoiceResolver;
  /** Listens (api role) and starts the worker and dispatcher (worker role). */
  start(): Promise<{ url: string | null }>;
  /** Stops taking work, drains, releases leases, closes connections. */
  stop(): Promise<void>;
}

/** Builds the engines and the resolver over what they can speak now. */
export async function createVoices({ voicesDir, engineThreads, espeakThreads = 1 }: { voicesDir: string; engineThreads: number; espeakThreads?: number }) {
  const espeak = await createEspeakEngine({ threads: espeakThreads });
  const sherpa = createSherpaEngine({ voicesDir, numThreads: engineThreads });
  const engines: Record<'espeak' | 'sherpa', TtsEngine> = { espeak, sherpa };
  const packs = loadPackCatalog().packs;
  const resolver: VoiceResolver = createVoiceResolver({ installed: [...(await espeak.listVoices()), ...(await sherpa.listVoices())], packs });
  return {
    engines,
    resolver: () => resolver,
    async close() {
      await Promise.all([espeak.close(), sherpa.close()]);
    },
  };
}

/**
 * How long stop() waits for requests and jobs in hand before closing the store under them: past the
 * worker's 10 s drain, well inside the 30 s after which `narrate` exits regardless.
 */
const STOP_GRACE_MS = 15_000;

/**
 * How long a dispatcher keeps a claimed callback: longer than the slowest allowed answer with room
 * to spare, or another dispatcher would take the delivery over mid-send and send it again.
 */
export function callbackLeaseMs(callbackTimeoutMs: number): number {
  return Math.max(30_000, callbackTimeoutMs + 30_000);
}

/** Listening on every interface: no one address of this host is right for MediaUrls. */
export function isWildcardHost(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/**
 * The base of local-bucket MediaUrls without --public-url: the address the server listens on, or
 * loopback when it listens on every interface (reachable from this machine only; the start-up log
 * warns). IPv6 literals need brackets in a URL.
 */
export function defaultPublicUrl(host: string, port: number): string {
  if (isWildcardHost(host)) return `http://127.0.0.1:${port}`;
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

export async function createNarrate({
  config,
  roles,
  logger,
  clock = systemClock,
  ids = randomIds,
}: {
  config: Readonly<Config>;
  roles: NarrateRoles;
  logger: Logger;
  clock?: Clock;
  ids?: Ids;
}): Promise<Narrate> {
  const nowSeconds = () => Math.floor(clock().getTime() / 1000);
  // Only processes that wait for work need PostgreSQL's LISTEN connection.
  const store = await createStore({
    databaseUrl: config.databaseUrl ?? undefined,
    dataDir: config.dataDir,
    schema: config.databaseSchema,
    listen: roles.worker,
    // Background connection failures (a killed backend, a dropped LISTEN): the pool and the listener
    // recover on their own, but an operator should see them.
    // Only message and code: pg attaches its client (connection parameters, a password among them) to these errors.
    onError: (error) => logger.warn({ reason: error.message, code: (error as NodeJS.ErrnoException).code }, 'database connection error; reconnecting'),
  });
  const rawStorage = createStorage({
    dataDir: config.dataDir,
    s3Endpoint: config.s3Endpoint ?? undefined,
    s3Region: config.s3Region,
    // Explicit, never left to the storage default (path style whenever an endpoint is set): OSS refuses path style.
    s3ForcePathStyle: config.s3ForcePathStyle,
    s3AccessKeyId: config.s3AccessKeyId ?? undefined,
    s3SecretAccessKey: config.s3SecretAccessKey ?? undefined,
    presignTtlSeconds: config.presignSeconds,
  }) as ObjectStorage;
  const urlSecret = rawStorage.kind === 'local' ? await loadOrCreateUrlSecret(config.dataDir) : null;
  const storage = urlSecret ? withSignedUrls(rawStorage, { secret: urlSecret, ttlSeconds: config.presignSeconds, nowSeconds }) : rawStorage;
  const voices = await createVoices({ voicesDir: config.voicesDir, engineThreads: config.engineThreads, espeakThreads: config.espeakThreads });
  const speech = createSpeechService({ engines: voices.engines, resolver: voices.resolver });
  const metrics = createMetrics({ store });
  // Known for sure only once listening (port 0 picks a free port); start() updates it.
  let publicBaseUrl = config.publicUrl ?? defaultPublicUrl(config.host, config.port);
  const workerId = `${os.hostname()}:${process.pid}:${ids.hex32().slice(0, 8)}`;

  let worker: Worker | null = null;
  let dispatcher: CallbackDispatcher | null = null;
  let callbackHttp: ReturnType<typeof createCallbackHttpClient> | null = null;
  if (roles.worker) {
    const tmpDir = path.join(config.dataDir, 'tmp');
    worker = createWorker({
      store,
      storage,
      speech,
      clock,
      ids,
      logger,
      workerId,
      concurrency: config.workerConcurrency,
      leaseMs: config.leaseSeconds * 1000,
      tmpDir,
      writeSidecars: createSubtitleWriter({ storage, tmpDir, newId: () => ids.hex32().slice(0, 8) }),
      onJobDone: (done) => metrics.jobDone(done),
      deliveryFor: async ({ job, state, result, errorCode, errorMessage }) => {
        const target = notifyTargetOf({ userData: job.userData, globalSettings: await loadEventCallbackSettings(store), eventType: config.callbackEventType });
        const mediaUrl = result ? await storage.objectUrl({ bucket: result.bucket, key: result.key, publicBaseUrl }) : null;
        return createDeliveryForJob({
          job: { ...job, state, errorCode: errorCode ?? null, errorMessage: errorMessage ?? null },
          target,
          eventType: config.callbackEventType,
          userId: userIdOf(job.ownerKeyId),
          now: clock(),
          mediaUrl,
          newId: ids.hex32,
        });
      },
    });
    // A worker that cannot write its scratch files would claim jobs only to fail them: refuse to start.
    await worker.checkScratch();
    // Outcomes are counted where they are recorded, so the dispatcher needs no metrics of its own.
    const countingStore = {
      claimDeliveries: store.claimDeliveries.bind(store),
      sendQueueMessage: store.sendQueueMessage.bind(store),
      getSetting: store.getSetting.bind(store),
      waitForWork: store.waitForWork.bind(store),
      // An attempt counts even when its lease was lost meanwhile: the request went out.
      recordDeliveryAttempt: async (args: Parameters<JobStore['recordDeliveryAttempt']>[0]) => {
        const recorded = await store.recordDeliveryAttempt(args);
        metrics.callbackOutcome(args.outcome.kind);
        return recorded;
      },
    };
    dispatcher = createCallbackDispatcher({
      store: countingStore,
      workerId,
      now: clock,
      httpClient: (callbackHttp = createCallbackHttpClient({ allowPrivate: config.callbackAllowPrivate, allowlist: config.callbackAllowlist, timeoutMs: config.callbackTimeoutMs })),
      policy: retryPolicyFrom({ mode: config.callbackMode, maxAgeMs: config.callbackMaxAgeHours * 3600 * 1000 }),
      logger: logger.child({ part: 'callbacks' }),
      leaseMs: callbackLeaseMs(config.callbackTimeoutMs),
    });
  }

  // Ready also means the claim loop is moving: a call hung past every store timeout would otherwise
  // leave a worker that reports ready and never takes a job. And that it can still write its
  // scratch files (a full or remounted disk after start), without which every job fails.
  const readinessChecks: Record<string, ReadinessCheck> = worker
    ? {
        worker: async () => {
          if (!worker!.isHealthy()) throw new Error(`claim loop stalled since ${new Date(worker!.lastLoopActivityAt() ?? 0).toISOString()}`);
        },
        scratch: () => worker!.checkScratch(),
      }
    : {};

  let app: FastifyInstance | null = null;
  if (roles.api) {
    const keyring = createKeyring({ store, configured: parseAccessKeys(config.accessKeys, clock()) });
    const jobs = createJobService({ store, speech, ids, clock, validateNotifyAddress });
    const iceActions = createIceActions({
      jobs,
      store,
      storage,
      voices: voices.resolver,
      clock,
      publicBaseUrlOf: () => publicBaseUrl,
      livePercent: worker ? (job) => worker!.progressOf(job.id) : undefined,
    });
    const authenticator = createIceAuthenticator({ keys: keyring, allowAnonymous: config.allowAnonymous, now: clock });
    // One limiter for every route a key can call (ICE, /v1, job event streams): one budget per key.
    const rateLimiter = config.rateLimit > 0 ? createRateLimiter({ ratePerSecond: config.rateLimit, burst: config.rateBurst, now: clock }) : undefined;
    app = await createServer({
      logger,
      store,
      storage,
      speech,
      metrics,
      metricsToken: config.metricsToken,
      authenticator,
      rateLimiter,
      iceActions,
      listKeys: keyring.listKeys,
      allowAnonymous: config.allowAnonymous,
      bucketUrlSecret: urlSecret,
      nowSeconds,
      readinessChecks,
      extraRoutes: [
        (scope) =>
          registerJobEventRoutes(scope, {
            store,
            authenticator,
            rateLimiter,
            limits: { streamsPerKey: config.eventStreamsPerKey, streamMs: config.eventStreamSeconds * 1000 },
            livePercent: worker ? (jobId) => worker!.progressOf(jobId) : undefined,
          }),
        (scope) => registerConsoleRoutes(scope),
      ],
    });
  }

  // A worker-only process has no API, but its job and callback metrics still need a scrape target.
  let opsApp: FastifyInstance | null = null;
  if (!app && roles.worker && config.metricsPort !== null) {
    opsApp = Fastify({ logger: false });
    registerHealthRoutes(opsApp, { store, storage, checks: readinessChecks });
    registerMetricsRoute(opsApp, { registry: metrics.registry, token: config.metricsToken });
  }

  const dispatcherStop = new AbortController();
  let dispatcherLoop: Promise<void> | null = null;

  return {
    config,
    store,
    storage,
    speech,
    metrics,
    app,
    worker,
    dispatcher,
    voiceResolver: voices.resolver,
    async start() {
      let url: string | null = null;
      if (app) {
        url = await app.listen({ port: config.port, host: config.host });
        if (!config.publicUrl) {
          const address = app.server.address();
          if (address && typeof address === 'object') publicBaseUrl = defaultPublicUrl(config.host, address.port);
        }
      }
      if (opsApp) await opsApp.listen({ port: config.metricsPort!, host: config.host });
      worker?.start();
      if (dispatcher) dispatcherLoop = dispatcher.start({ signal: dispatcherStop.signal });
      return { url };
    },
    async stop() {
      // A request or a lease release stuck on a silent database, or a keep-alive connection the server
      // did not see go idle (it would wait out the 72 s keep-alive), would hold the stop until the hard
      // exit: after the grace period connections are closed and the store is closed under what is left.
      const forceStore = setTimeout(() => {
        app?.server.closeAllConnections();
        opsApp?.server.closeAllConnections();
        dispatcherStop.abort();
        void store.close().catch(() => undefined);
      }, STOP_GRACE_MS);
      forceStore.unref();
      // Stop taking requests first, then work, then close what they used.
      if (app) await app.close();
      if (opsApp) await opsApp.close();
      await worker?.stop();
      dispatcherStop.abort();
      await dispatcherLoop?.catch(() => {});
      await callbackHttp?.close();
      await voices.close();
      clearTimeout(forceStore);
      await store.close();
    },
  };
}
