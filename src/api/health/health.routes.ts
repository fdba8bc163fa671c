/**
 * Liveness (the process answers) and readiness (its database and object store answer, and a
 * worker's claim loop is moving). Both are unauthenticated, as load balancers call them: a failed
 * check says only `unavailable`, and its reason (host names, ports, driver messages) goes to the log.
 */
import type { FastifyInstance } from 'fastify';
import type { JobStore } from '../../store/store.types.js';
import type { ObjectStorage } from '../../storage/storage.types.js';
import { withDeadline } from '../../shared/timers.js';

/** A check that has not answered by then counts as failed: a hung database must not hang the probe. */
export const READINESS_TIMEOUT_MS = 3000;

export type ReadinessCheck = () => Promise<void>;

export function registerHealthRoutes(
  app: FastifyInstance,
  { store, storage, checks: extra = {}, timeoutMs = READINESS_TIMEOUT_MS }: { store: JobStore; storage: ObjectStorage; checks?: Record<string, ReadinessCheck>; timeoutMs?: number },
) {
  const all: Record<string, ReadinessCheck> = { database: () => store.ping(), storage: () => storage.ping(), ...extra };
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    const checks: Record<string, string> = {};
    const run = async (name: string, check: ReadinessCheck) => {
      try {
        await withDeadline(check(), timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
        checks[name] = 'ok';
      } catch (error) {
        checks[name] = 'unavailable';
        request.log.warn({ check: name, reason: error instanceof Error ? error.message.slice(0, 200) : String(error) }, 'readiness check failed');
      }
    };
    await Promise.all(Object.entries(all).map(([name, check]) => run(name, check)));
    const ready = Object.values(checks).every((value) => value === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
}
