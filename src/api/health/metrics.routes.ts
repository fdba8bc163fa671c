/**
 * GET /metrics (Prometheus text). Open by default, as Prometheus expects; with a token set, a scrape
 * must send it as `Authorization: Bearer <token>` (Prometheus' `authorization` / `bearer_token`).
 */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { errors } from '../../shared/errors.js';
import { bearerToken } from '../bearer-token.js';
import { constantTimeEqual } from '../ice/constant-time.js';

export function registerMetricsRoute(app: FastifyInstance, { registry, token }: { registry: Registry; token: string | null }) {
  app.get('/metrics', async (request, reply) => {
    if (token !== null) {
      // The token is a secret: compared in constant time, lengths included.
      if (!constantTimeEqual(bearerToken(request.headers.authorization) ?? '', token)) {
        const error = errors.metricsTokenRequired();
        return reply.code(error.httpStatus).header('www-authenticate', 'Bearer').send({ Code: error.code, Message: error.message });
      }
    }
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
}
