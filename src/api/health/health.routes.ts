/**
 * Liveness (the process answers) and readiness (its database and object store answer). Both are
 * unauthenticated, as load balancers call them: a failed check says only `unavailable`, and its
 * reason (host names, ports, driver messages) goes to the log.
 */
import type { FastifyInstance } from 'fastify';
import type { JobStore } from '../../store/store.types.js';
import type { ObjectStorage } from '../../storage/storage.types.js';

export function registerHealthRoutes(app: FastifyInstance, { store, storage }: { store: JobStore; storage: ObjectStorage }) {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (request, reply) => {
    const checks: Record<string, string> = {};
    const run = async (name: string, check: () => Promise<void>) => {
      try {
        await check();
        checks[name] = 'ok';
      } catch (error) {
        checks[name] = 'unavailable';
        request.log.warn({ check: name, reason: error instanceof Error ? error.message.slice(0, 200) : String(error) }, 'readiness check failed');
      }
    };
    await Promise.all([run('database', () => store.ping()), run('storage', () => storage.ping())]);
    const ready = Object.values(checks).every((value) => value === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });
}
