import fc from 'fast-check';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIceAuthenticator } from './ice.auth.js';
import { iceRpcPlugin } from './ice.plugin.js';
import { createMemoryKeyStore, signedIceRequest, testAccessKey } from './ice.test-utils.js';

// The same plugin through fastify.inject (no socket), as other modules' tests will use it.
const app = Fastify({ logger: false });
let ids = 0;

beforeAll(async () => {
  await app.register(iceRpcPlugin, {
    authenticator: createIceAuthenticator({ keys: createMemoryKeyStore([testAccessKey()]), allowAnonymous: false, now: () => new Date() }),
    actions: { Echo: ({ params, keyId }) => ({ Params: { ...params }, KeyId: keyId }) },
    newRequestId: () => `00000000-0000-0000-0000-${String(++ids).padStart(12, '0')}`,
  });
  await app.ready();
});
afterAll(() => app.close());

describe('iceRpcPlugin with fastify.inject', () => {
  it('signedIceRequest output is accepted as is', async () => {
    const req = signedIceRequest({ signature: 'v3', action: 'Echo', params: { Text: 'hi' }, placement: 'body' });
    const res = await app.inject({ method: req.method, url: req.url, headers: req.headers, payload: req.body });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ RequestId: expect.stringMatching(/^0{8}-/), Params: { Text: 'hi' }, KeyId: 'test-key' });
  });

  it('HostId defaults to the request host name, and the RequestId comes from the injected generator', async () => {
    const res = await app.inject({ method: 'GET', url: '/?Action=Echo', headers: { host: 'ice.example.org:8080' } });
    const body = res.json();
    expect(body.HostId).toBe('ice.example.org');
    expect(body.RequestId).toMatch(/^00000000-0000-0000-0000-\d{12}$/);
    expect(res.headers['x-acs-request-id']).toBe(body.RequestId);
  });

  it('a POST body without a content type is hashed (V3) but not read as parameters', async () => {
    const req = signedIceRequest({ signature: 'v3', action: 'Echo', params: { Text: 'hi' } });
    const res = await app.inject({ method: 'POST', url: req.url, headers: req.headers, payload: 'ignored=1' });
    expect(res.statusCode).toBe(400);
    expect(res.json().Code).toBe('IncompleteSignature');
    expect(res.json().Message).toContain('x-acs-content-sha256 does not match');
  });

  it('property: any parameter text survives signing, the wire and verification (v1 and V3, query and body)', async () => {
    const name = fc.stringMatching(/^[A-Z][A-Za-z0-9.]{0,12}$/).filter((n) => !['Action', 'Version', 'Format', 'Signature', 'Timestamp', 'RegionId', 'SecurityToken', 'BearerToken', 'SignatureType'].includes(n) && !n.startsWith('Signature') && n !== 'AccessKeyId');
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(name, fc.string({ unit: 'grapheme', maxLength: 40 }), { maxKeys: 4 }),
        fc.constantFrom('v1' as const, 'v3' as const),
        fc.constantFrom('query' as const, 'body' as const),
        fc.constantFrom('GET' as const, 'POST' as const),
        async (params, signature, placement, method) => {
          const where = method === 'GET' ? 'query' : placement;
          const req = signedIceRequest({ signature, action: 'Echo', params, placement: where, method });
          const res = await app.inject({ method: req.method, url: req.url, headers: req.headers, payload: req.body });
          expect(res.statusCode, res.body).toBe(200);
          expect(res.json().Params).toEqual(params);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('logging', () => {
  it('no log line carries a secret, whatever happens to the request', async () => {
    const lines: string[] = [];
    const logged = Fastify({ logger: { level: 'trace', stream: { write: (line: string) => lines.push(line) } } });
    const secret = 'VERY-SECRET-VALUE-123';
    await logged.register(iceRpcPlugin, {
      authenticator: createIceAuthenticator({
        keys: createMemoryKeyStore([testAccessKey({ secret })]),
        allowAnonymous: false,
        now: () => new Date(),
      }),
      actions: {
        Echo: () => ({ Ok: true }),
        Boom: () => {
          throw new Error('boom');
        },
      },
    });
    try {
      for (const [action, key] of [['Echo', secret], ['Echo', 'wrong'], ['Boom', secret]] as const) {
        for (const signature of ['v1', 'v3'] as const) {
          const req = signedIceRequest({ signature, action, accessKeySecret: key, params: { Text: 'x' } });
          await logged.inject({ method: req.method, url: req.url, headers: req.headers, payload: req.body });
        }
      }
      expect(lines.length).toBeGreaterThan(6);
      expect(lines.join('\n')).not.toContain(secret);
      expect(lines.some((line) => line.includes('SignatureDoesNotMatch'))).toBe(true);
    } finally {
      await logged.close();
    }
  });
});
