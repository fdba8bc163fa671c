/**
 * GET /metrics (Prometheus text). Open by default, as Prometheus expects; with a token set, a scrape
 * must send it as `Authorization: Bearer <token>` (Prometheus' `authorization` / `bearer_token`).
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { constantTimeEqual } from '../ice/constant-time.js';

export function registerMetricsRoute(app: FastifyInstance, { registry, token }: { registry: Registry; token: string | null }) {
  app.get('/metrics', async (request, reply) => {
    if (token !== null) {
      const given = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim() ?? '';
      // The token is a secret: compared in constant time, lengths included.
      if (!constantTimeEqual(given, token)) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({ Code: 'Unauthorized', Message: 'This server\'s /metrics needs its bearer token (--metrics-token).' });
      }
    }
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
