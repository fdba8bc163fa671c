import { request as httpRequest } from 'node:http';
import RPCClient from '@alicloud/pop-core';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIceAuthenticator } from './ice.auth.js';
import { ICE_SERVER_OPTIONS, type IceActionHandler, iceRpcPlugin } from './ice.plugin.js';
import { createRateLimiter } from './ice.rate-limit.js';
import { openapi, type OpenApiClientLike } from '../../../test/support/ice-clients.js';
import { type SignedIceRequest, type SignedIceRequestArgs, createMemoryKeyStore, signedIceRequest, testAccessKey } from './ice.test-utils.js';

const OpenApiClient = openapi.default;
const { Config, OpenApiRequest, Params } = openapi;

const KEY = testAccessKey({ id: 'LTAI-test', secret: 'S3cr3t-value' });
const NARROW = testAccessKey({ id: 'narrow', secret: 'narrow-secret', allowedActions: ['ice:GetSmartHandleJob'] });
const INACTIVE = testAccessKey({ id: 'off', secret: 'off-secret', active: false });

/** A test-only action: echoes what the protocol layer handed it. */
const actions: Record<string, IceActionHandler> = {
  Echo: ({ params, keyId, common }) => ({ Params: { ...params }, KeyId: keyId, RegionId: common.regionId ?? null }),
  Lengths: ({ params }) => ({ Lengths: Object.entries(params).map(([Name, value]) => ({ Name, Length: value.length })) }),
  Boom: () => {
    throw new Error('database password is hunter2');
  },
};

interface Server {
  app: FastifyInstance;
  port: number;
}

async function startServer(options: { allowAnonymous?: boolean; clockOffsetMs?: number; burst?: number; serverOptions?: object } = {}): Promise<Server> {
  const app = Fastify({ ...(options.serverOptions ?? ICE_SERVER_OPTIONS), logger: false });
  const keys = createMemoryKeyStore([KEY, NARROW, INACTIVE]);
  const now = () => new Date(Date.now() + (options.clockOffsetMs ?? 0));
  await app.register(iceRpcPlugin, {
    authenticator: createIceAuthenticator({ keys, allowAnonymous: options.allowAnonymous ?? false, now }),
    rateLimiter: createRateLimiter({ ratePerSecond: options.burst === undefined ? 1000 : 0.01, burst: options.burst ?? 1000, now }),
    actions,
    hostId: 'narrate.test',
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { app, port: address.port };
}

function popClient(port: number, overrides: { accessKeyId?: string; accessKeySecret?: string; apiVersion?: string } = {}) {
  return new RPCClient({
    accessKeyId: overrides.accessKeyId ?? KEY.id,
    accessKeySecret: overrides.accessKeySecret ?? KEY.secret,
    endpoint: `http://127.0.0.1:${port}`,
    apiVersion: overrides.apiVersion ?? '2020-11-09',
  });
}

function openApiClient(port: number, overrides: { accessKeyId?: string; accessKeySecret?: string; v2?: boolean } = {}) {
  return new OpenApiClient(
    new Config({
      accessKeyId: overrides.accessKeyId ?? KEY.id,
      accessKeySecret: overrides.accessKeySecret ?? KEY.secret,
      endpoint: `127.0.0.1:${port}`,
      protocol: 'HTTP',
      ...(overrides.v2 ? { signatureAlgorithm: 'v2' } : {}),
    }),
  );
}

async function callOpenApi(
  client: OpenApiClientLike,
  args: { action?: string; query?: Record<string, string>; body?: Record<string, string>; authType?: string },
): Promise<Record<string, unknown>> {
  const params = new Params({
    action: args.action ?? 'Echo',
    version: '2020-11-09',
    protocol: 'HTTP',
    pathname: '/',
    method: 'POST',
    authType: args.authType ?? 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
  const request = new OpenApiRequest({ ...(args.query ? { query: args.query } : {}), ...(args.body ? { body: args.body } : {}) });
  const res = (await client.callApi(params, request, {})) as { body: Record<string, unknown> };
  return res.body;
}

/** Sends a request exactly as built (Host header included) and reads the whole answer. */
function sendRaw(port: number, req: SignedIceRequest | { method: string; url: string; headers: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const r = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    r.on('error', reject);
    if (req.body !== undefined) r.write(req.body);
    r.end();
  });
}

async function caught(promise: Promise<unknown>): Promise<Record<string, unknown> & { code?: string; data?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown> & { code?: string };
  }
  throw new Error('expected the client to throw');
}

const CHINESE = '你好，世界！Hello world*~ (a+b=c) & \'quotes\' "double" /slash';

describe('ICE RPC endpoint driven by Alibaba clients', () => {
  let server: Server;
  const sign = (args: Omit<SignedIceRequestArgs, 'accessKeyId' | 'accessKeySecret' | 'host'> & Partial<SignedIceRequestArgs>) =>
    signedIceRequest({ accessKeyId: KEY.id, accessKeySecret: KEY.secret, host: `127.0.0.1:${server.port}`, ...args });

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.app.close();
  });

  it('@alicloud/pop-core GET (v1, everything in the URL)', async () => {
    const res = await popClient(server.port).request<Record<string, unknown>>('Echo', { Text: CHINESE, RegionId: 'cn-shanghai' });
    expect(res.Params).toEqual({ Text: CHINESE });
    expect(res.KeyId).toBe(KEY.id);
    expect(res.RegionId).toBe('cn-shanghai');
    expect(res.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(res).not.toHaveProperty('Code');
  });

  it('@alicloud/pop-core POST (v1, everything in a form body)', async () => {
    const res = await popClient(server.port).request<Record<string, unknown>>('Echo', { text: CHINESE }, { method: 'POST' });
    expect(res.Params).toEqual({ Text: CHINESE });
  });

  it('@alicloud/openapi-client default (V3), parameters in the query', async () => {
    const res = await callOpenApi(openApiClient(server.port), { query: { Text: CHINESE, Other: '' } });
    expect(res.Params).toEqual({ Text: CHINESE, Other: '' });
    expect(res.KeyId).toBe(KEY.id);
  });

  it('@alicloud/openapi-client default (V3), parameters in a form body', async () => {
    const res = await callOpenApi(openApiClient(server.port), { query: { A: '1' }, body: { Text: CHINESE } });
    expect(res.Params).toEqual({ A: '1', Text: CHINESE });
  });

  it('@alicloud/openapi-client signatureAlgorithm v2 (v1 signature), query and form body', async () => {
    const res = await callOpenApi(openApiClient(server.port, { v2: true }), { query: { A: '1' }, body: { Text: CHINESE } });
    expect(res.Params).toEqual({ A: '1', Text: CHINESE });
  });

  it('a wrong secret is SignatureDoesNotMatch as each client sees it', async () => {
    const pop = await caught(popClient(server.port, { accessKeySecret: 'wrong' }).request('Echo', { Text: 'x' }));
    expect(pop.code).toBe('SignatureDoesNotMatch');
    expect(pop.name).toBe('SignatureDoesNotMatchError');
    expect(JSON.stringify(pop.data)).not.toContain(KEY.secret);
    const v3 = await caught(callOpenApi(openApiClient(server.port, { accessKeySecret: 'wrong' }), { query: { Text: 'x' } }));
    expect(v3.code).toBe('SignatureDoesNotMatch');
    expect(v3.data?.statusCode).toBe(400);
    expect(v3.data?.HostId).toBe('narrate.test');
    const v2 = await caught(callOpenApi(openApiClient(server.port, { accessKeySecret: 'wrong', v2: true }), { body: { Text: 'x' } }));
    expect(v2.code).toBe('SignatureDoesNotMatch');
  });

  it('a replayed request is refused with SignatureNonceUsed (v1 and V3)', async () => {
    for (const signature of ['v1', 'v3'] as const) {
      const req = sign({ signature, action: 'Echo', params: { Text: 'once' } });
      expect((await sendRaw(server.port, req)).status).toBe(200);
      const again = await sendRaw(server.port, req);
      expect(again.status).toBe(400);
      expect(JSON.parse(again.body).Code).toBe('SignatureNonceUsed');
    }
  });

  it('an action the key may not call is 403 Forbidden.RAM', async () => {
    const err = await caught(callOpenApi(openApiClient(server.port, { accessKeyId: NARROW.id, accessKeySecret: NARROW.secret }), { query: { A: '1' } }));
    expect(err.code).toBe('Forbidden.RAM');
    expect(err.data?.statusCode).toBe(403);
  });

  it('unknown and inactive keys', async () => {
    const unknown = await caught(callOpenApi(openApiClient(server.port, { accessKeyId: 'nobody' }), { query: { A: '1' } }));
    expect(unknown.code).toBe('InvalidAccessKeyId.NotFound');
    expect(unknown.data?.statusCode).toBe(404);
    const off = await caught(popClient(server.port, { accessKeyId: INACTIVE.id, accessKeySecret: INACTIVE.secret }).request('Echo', {}));
    expect(off.code).toBe('InvalidAccessKeyId.Inactive');
  });

  it('unsigned requests are refused unless anonymous access is on', async () => {
    const refused = await caught(callOpenApi(openApiClient(server.port), { authType: 'Anonymous', query: { A: '1' } }));
    expect(refused.code).toBe('MissingAccessKeyId');
    const open = await startServer({ allowAnonymous: true });
    try {
      const res = await callOpenApi(openApiClient(open.port), { authType: 'Anonymous', query: { A: '1' } });
      expect(res.KeyId).toBe('anonymous');
      // Signed requests still get checked when anonymous access is on.
      expect((await caught(callOpenApi(openApiClient(open.port, { accessKeySecret: 'bad' }), { query: { A: '1' } }))).code).toBe('SignatureDoesNotMatch');
    } finally {
      await open.app.close();
    }
  });

  it('an unknown action is 404 InvalidAction.NotFound', async () => {
    const err = await caught(callOpenApi(openApiClient(server.port), { action: 'NoSuchAction' }));
    expect(err.code).toBe('InvalidAction.NotFound');
    expect(err.data?.statusCode).toBe(404);
  });

  it('a Version other than 2020-11-09 is 400 InvalidParameter', async () => {
    const err = await caught(popClient(server.port, { apiVersion: '2017-09-06' }).request('Echo', {}));
    expect(err.code).toBe('InvalidParameter');
  });

  it('a failing handler is 500 InternalError with no detail', async () => {
    const err = await caught(callOpenApi(openApiClient(server.port), { action: 'Boom' }));
    expect(err.code).toBe('InternalError');
    expect(err.data?.statusCode).toBe(500);
    expect(JSON.stringify(err.data)).not.toContain('hunter2');
  });

  it('a 10,000-character Chinese parameter travels in the URL (pop-core GET and V3 query)', async () => {
    const text = '语'.repeat(9_990) + 'end-marker';
    const pop = await popClient(server.port).request<Record<string, unknown>>('Lengths', { InputConfig: text });
    expect(pop.Lengths).toEqual([{ Name: 'InputConfig', Length: 10_000 }]);
    const v3 = await callOpenApi(openApiClient(server.port), { action: 'Echo', query: { InputConfig: text } });
    expect((v3.Params as Record<string, string>).InputConfig).toBe(text);
  });

  it('a 250 KB request line is accepted with ICE_SERVER_OPTIONS, and refused (431) without them', async () => {
    const req = sign({ signature: 'v1', method: 'GET', action: 'Lengths', params: { Big: 'x'.repeat(250 * 1024) } });
    expect(req.url.length).toBeGreaterThan(250 * 1024);
    const res = await sendRaw(server.port, req);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).Lengths).toEqual([{ Name: 'Big', Length: 250 * 1024 }]);
    const plain = await startServer({ serverOptions: {} });
    try {
      expect((await sendRaw(plain.port, { ...req, headers: { host: `127.0.0.1:${plain.port}` } })).status).toBe(431);
    } finally {
      await plain.app.close();
    }
  });

  it('Format=XML answers XML, for success and for errors', async () => {
    const ok = await sendRaw(server.port, sign({ signature: 'v1', action: 'Lengths', format: 'XML', params: { A: 'ab', B: 'c' } }));
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('text/xml;charset=utf-8');
    expect(ok.body).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?><LengthsResponse><RequestId>[0-9A-F-]{36}<\/RequestId><Lengths><Name>A<\/Name><Length>2<\/Length><\/Lengths><Lengths><Name>B<\/Name><Length>1<\/Length><\/Lengths><\/LengthsResponse>$/,
    );
    const bad = await sendRaw(server.port, sign({ signature: 'v1', action: 'Echo', format: 'xml', accessKeySecret: 'wrong' }));
    expect(bad.status).toBe(400);
    expect(bad.headers['content-type']).toBe('text/xml;charset=utf-8');
    expect(bad.body).toContain('<Error><RequestId>');
    expect(bad.body).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('every response carries x-acs-request-id matching the body', async () => {
    const res = await sendRaw(server.port, sign({ signature: 'v3', action: 'Echo' }));
    expect(res.headers['x-acs-request-id']).toBe(JSON.parse(res.body).RequestId);
    const err = await sendRaw(server.port, { method: 'GET', url: '/?Action=Echo', headers: {} });
    expect(err.status).toBe(400);
    expect(err.headers['x-acs-request-id']).toBe(JSON.parse(err.body).RequestId);
  });

  it('other HTTP methods are UnsupportedHTTPMethod; oversized bodies are 413 in the ICE format', async () => {
    const put = await sendRaw(server.port, { method: 'PUT', url: '/?Action=Echo', headers: {} });
    expect(put.status).toBe(400);
    expect(JSON.parse(put.body).Code).toBe('UnsupportedHTTPMethod');
    const big = await sendRaw(server.port, {
      method: 'POST',
      url: '/?Format=XML',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `Action=Echo&Text=${'x'.repeat(1024 * 1024 + 10)}`,
    });
    expect(big.status).toBe(413);
    expect(big.body).toContain('<Code>InvalidParameter.BodyTooLarge</Code>');
  });
});

describe('ICE RPC endpoint: clock and throttling', () => {
  it('a request signed an hour before server time is InvalidTimeStamp.Expired (v1 and V3)', async () => {
    const server = await startServer({ clockOffsetMs: 60 * 60 * 1000 });
    try {
      expect((await caught(popClient(server.port).request('Echo', {}))).code).toBe('InvalidTimeStamp.Expired');
      expect((await caught(callOpenApi(openApiClient(server.port), {}))).code).toBe('InvalidTimeStamp.Expired');
    } finally {
      await server.app.close();
    }
  });

  it('past the burst a key is throttled with x-acs-retry-after, and other keys are not', async () => {
    const server = await startServer({ burst: 2 });
    try {
      const client = openApiClient(server.port);
      await callOpenApi(client, {});
      await callOpenApi(client, {});
      const err = await caught(callOpenApi(client, {}));
      expect(err.code).toBe('Throttling.User');
      expect(err.data?.statusCode).toBe(400);
      const raw = await sendRaw(
        server.port,
        signedIceRequest({ signature: 'v1', action: 'Echo', accessKeyId: KEY.id, accessKeySecret: KEY.secret, host: `127.0.0.1:${server.port}` }),
      );
      expect(raw.status).toBe(400);
      expect(Number(raw.headers['x-acs-retry-after'])).toBeGreaterThanOrEqual(1);
      // The narrow key has its own bucket: it gets past the limiter to its own Forbidden.RAM.
      const narrow = await caught(callOpenApi(openApiClient(server.port, { accessKeyId: NARROW.id, accessKeySecret: NARROW.secret }), {}));
      expect(narrow.code).toBe('Forbidden.RAM');
    } finally {
      await server.app.close();
    }
  });
});
