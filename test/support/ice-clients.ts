/**
 * Alibaba's own npm clients, pointed at a test server: @alicloud/pop-core (signature v1) and
 * @alicloud/openapi-client (signature V3 by default).
 */
import http from 'node:http';
import { createRequire } from 'node:module';
import type { Config as ConfigType, OpenApiRequest as OpenApiRequestType, Params as ParamsType } from '@alicloud/openapi-client';
import RPCClient from '@alicloud/pop-core';

export interface OpenApiClientLike {
  callApi(params: ParamsType, request: OpenApiRequestType, runtime: object): Promise<unknown>;
}
// CommonJS with `exports.default`, which ESM default imports resolve differently under Vitest.
export const openapi = createRequire(import.meta.url)('@alicloud/openapi-client') as {
  default: new (config: ConfigType) => OpenApiClientLike;
  Config: typeof ConfigType;
  OpenApiRequest: typeof OpenApiRequestType;
  Params: typeof ParamsType;
};

export function popCoreClient({ port, id, secret }: { port: number; id: string; secret: string }) {
  const client = new RPCClient({ accessKeyId: id, accessKeySecret: secret, endpoint: `http://127.0.0.1:${port}`, apiVersion: '2020-11-09' });
  // pop-core pools connections with no idle limit; the server closes an idle one after its
  // keep-alive timeout (Fastify: 72 s), and a request sent on it at that moment fails with
  // ECONNRESET (seen in the scale-out test after a long wait for jobs). Retiring idle sockets
  // sooner, as a long-lived client should, removes that race.
  (client as unknown as { keepAliveAgent: http.Agent }).keepAliveAgent = new http.Agent({ keepAlive: true, keepAliveMsecs: 3000, timeout: 30_000 });
  return client;
}

/** A thin typed wrapper: call(action, params) → body, as the generated ICE SDK does. */
export function openApiClient({ port, id, secret, v2 = false }: { port: number; id: string; secret: string; v2?: boolean }) {
  const client = new openapi.default(
    new openapi.Config({ accessKeyId: id, accessKeySecret: secret, endpoint: `127.0.0.1:${port}`, protocol: 'HTTP', ...(v2 ? { signatureAlgorithm: 'v2' } : {}) }),
  );
  return {
    async call(action: string, query: Record<string, string>): Promise<Record<string, unknown>> {
      const params = new openapi.Params({ action, version: '2020-11-09', protocol: 'HTTP', pathname: '/', method: 'POST', authType: 'AK', style: 'RPC', reqBodyType: 'formData', bodyType: 'json' });
      const response = (await client.callApi(params, new openapi.OpenApiRequest({ query }), {})) as { body: Record<string, unknown> };
      return response.body;
    },
  };
}
