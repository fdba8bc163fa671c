/**
 * Builds the HTTP application (never listens: the caller does, so tests can use inject()).
 * Routes: the ICE RPC endpoint at `/`, local buckets, health, metrics, the OpenAI endpoint,
 * job event streams and the web console.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { redactUrl, type Logger } from '../shared/logger.js';
import { ICE_SERVER_OPTIONS, iceRpcPlugin, type IceActionHandler, type IceRpcPluginOptions } from './ice/ice.plugin.js';
import type { RateLimiter } from './ice/ice.rate-limit.js';
import type { JobStore, AccessKeyRecord } from '../store/store.types.js';
import type { ObjectStorage } from '../storage/storage.types.js';
import { registerBucketRoutes } from './buckets/bucket.routes.js';
import { registerHealthRoutes, type ReadinessCheck } from './health/health.routes.js';
import { registerOpenAiRoutes } from './openai/openai.routes.js';
import type { SpeechService } from '../speech/speech.service.js';
import type { Metrics } from '../metrics/metrics.js';
import { registerMetricsRoute } from './health/metrics.routes.js';

/** Node's own default for receiving a whole request (headers and body), which Fastify sets to 0 (none). */
export const REQUEST_TIMEOUT_MS = 300_000;

/** A client-sent x-request-id is used as the request id only in this shape (a UUID, a trace id). */
const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface ServerDeps {
  logger: Logger;
  store: JobStore;
  storage: ObjectStorage;
  speech: SpeechService;
  metrics: Metrics;
  /** Bearer token /metrics requires; null: open. */
  metricsToken: string | null;
  authenticator: IceRpcPluginOptions['authenticator'];
  rateLimiter?: Pick<RateLimiter, 'consume'>;
  iceActions: Record<string, IceActionHandler>;
  /** Every access key (for the OpenAI bearer token check). */
  listKeys: () => Promise<AccessKeyRecord[]>;
  allowAnonymous: boolean;
  /** Secret for signed local bucket URLs; null when storage is S3 (it presigns itself). */
  bucketUrlSecret: string | null;
  nowSeconds: () => number;
  /** Readiness checks beyond the database and storage (a worker's claim loop and scratch directory in single-process mode). */
  readinessChecks?: Record<string, ReadinessCheck>;
  /** Extra route registrations (console, job events) that need the same app. */
  extraRoutes?: Array<(app: FastifyInstance) => void | Promise<void>>;
}

export async function createServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    ...ICE_SERVER_OPTIONS,
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Request logging is ours (one line per request in onResponse, at debug level).
    logController: new LogController({ disableRequestLogging: true }),
    // Request ids in logs come from here; ICE responses carry their own RequestId as well. A client's
    // (or proxy's) x-request-id is kept only when it looks like an id: anything up to the 512 KiB header
    // limit would otherwise be copied into every log line of the request and echoed in /v1 responses.
    requestIdHeader: false,
    genReqId: (raw) => {
      const given = raw.headers['x-request-id'];
      return typeof given === 'string' && CLIENT_REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 1024 * 1024,
    // Fastify turns Node's limit on receiving a request off (0): a client could then hold a connection
    // open for ever by sending its body a byte at a time. Node's own default is restored here; it covers
    // the request only, so long /v1 audio streams and /events/job streams are not cut.
    requestTimeout: REQUEST_TIMEOUT_MS,
  });
  // Everything outside the ICE and /v1 scopes (buckets, metrics, health, console, job events) falls back
  // here. Fastify's default handler would send a 5xx error's message (a database driver's text, a file
  // path) to an unauthenticated caller: the message goes to the log and the caller gets a generic one.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status < 500) return reply.send(error);
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.' });
  });
  // A callback hook, not an async one: it runs on every request, and an async hook costs a promise
  // and a trip through the microtask queue for nothing here. A throw reaches Fastify either way.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.metrics.httpRequest({ method: request.method, route, status: reply.statusCode, seconds: reply.elapsedTime / 1000 });
    request.log.debug({ method: request.method, url: redactUrl(request.url.slice(0, 400)).slice(0, 200), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    done();
  });

  await app.register(iceRpcPlugin, {
    authenticator: deps.authenticator,
    rateLimiter: deps.rateLimiter,
    actions: deps.iceActions,
  });
  if (deps.bucketUrlSecret) registerBucketRoutes(app, { storage: deps.storage, urlSecret: deps.bucketUrlSecret, nowSeconds: deps.nowSeconds });
  registerHealthRoutes(app, { store: deps.store, storage: deps.storage, checks: deps.readinessChecks });
  registerMetricsRoute(app, { registry: deps.metrics.registry, token: deps.metricsToken });
  await app.register(async (scope) => {
    registerOpenAiRoutes(scope, { speech: deps.speech, findKeys: deps.listKeys, allowAnonymous: deps.allowAnonymous, metrics: deps.metrics, rateLimiter: deps.rateLimiter });
  });
  for (const register of deps.extraRoutes ?? []) await register(app);
  return app;
}
