import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import http, { type IncomingHttpHeaders } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withSignedUrls } from '../../app/signed-local-storage.js';
import { createLocalStorage } from '../../storage/local.storage.js';
import type { ObjectStorage } from '../../storage/storage.types.js';
import { signBucketPath } from './bucket-url.js';
import { decideRange, registerBucketRoutes } from './bucket.routes.js';

const SECRET = 'test-secret';
const SECRET_BYTES = 'TOP SECRET, outside every bucket';
const BIG = randomBytes(1000);

let dataDir: string;
let app: FastifyInstance;
let storage: ObjectStorage;
let publicBaseUrl: string;
let port: number;
let now = 1_700_000_000;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A request with the path sent byte for byte as given (no URL normalisation of `..` or `%2e`). */
function send(rawPath: string, { method = 'GET', headers = {} }: { method?: string; headers?: Record<string, string> } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The MediaUrl the service hands out for an object, as path + query (what a client sends). */
async function signedPath(bucket: string, key: string): Promise<string> {
  const url = new URL(await storage.objectUrl({ bucket, key, publicBaseUrl }));
  return url.pathname + url.search;
}

async function put(bucket: string, key: string, bytes: Buffer | string): Promise<void> {
  const local = createLocalStorage({ root: path.join(dataDir, 'buckets') });
  const file = local.tempPath();
  await fs.writeFile(file, bytes);
  await local.putObject({ bucket, key, sourcePath: file, contentType: 'application/octet-stream', overwrite: true });
}

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'narrate-bucket-routes-'));
  storage = withSignedUrls(createLocalStorage({ root: path.join(dataDir, 'buckets') }), { secret: SECRET, ttlSeconds: 3600, nowSeconds: () => now });
  await put('dd', 'a.mp3', 'bytes of a.mp3');
  await put('dd', '%61.mp3', 'bytes of %61.mp3');
  await put('dd', '50%off', 'bytes of 50%off');
  await put('dd', '50%off.mp3', 'bytes of 50%off.mp3');
  await put('dd', '%2e%2e', 'bytes of %2e%2e');
  await put('dd', 'dir/50% off ünï (1)+x.mp3', 'bytes of the nested one');
  await put('dd', 'big.mp3', BIG);
  await put('dd', 'empty.mp3', '');
  await put('other', 'secret.txt', SECRET_BYTES);
  await fs.writeFile(path.join(dataDir, 'secret.txt'), SECRET_BYTES);
  await fs.writeFile(path.join(dataDir, 'buckets', 'secret.txt'), SECRET_BYTES);

  app = Fastify();
  registerBucketRoutes(app, { storage, urlSecret: SECRET, nowSeconds: () => now });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
  publicBaseUrl = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await app?.close();
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('signed bucket URLs resolve exactly the key they encode', () => {
  it.each(['a.mp3', '%61.mp3', '50%off', '50%off.mp3', '%2e%2e', 'dir/50% off ünï (1)+x.mp3'])('%s round-trips through its MediaUrl', async (key) => {
    const answer = await send(await signedPath('dd', key));
    expect(answer.status).toBe(200);
    expect(answer.body.toString('utf8')).toBe(key.startsWith('dir/') ? 'bytes of the nested one' : `bytes of ${key}`);
  });

  it('the URL of %61.mp3 is /buckets/dd/%2561.mp3 and does not serve a.mp3', async () => {
    const url = await signedPath('dd', '%61.mp3');
    expect(url.startsWith('/buckets/dd/%2561.mp3?')).toBe(true);
    expect((await send(url)).body.toString('utf8')).toBe('bytes of %61.mp3');
  });

  it("checks the signature against the path as sent: %61.mp3's signature does not open a.mp3", async () => {
    const url = await signedPath('dd', '%61.mp3');
    const answer = await send(url.replace('%2561', '%61'));
    expect(answer.status).toBe(403);
    expect(answer.body.toString('utf8')).not.toContain('bytes of');
  });

  it('refuses unsigned, tampered and expired URLs with 403', async () => {
    expect((await send('/buckets/dd/a.mp3')).status).toBe(403);
    const url = await signedPath('dd', 'a.mp3');
    expect((await send(url.replace('a.mp3', 'big.mp3'))).status).toBe(403);
    expect((await send(url.replace(/Signature=[^&]+/, 'Signature=AAAA'))).status).toBe(403);
    expect((await send(`${url}&Expires=1`)).status).toBe(403);
    now += 7200;
    try {
      expect((await send(url)).status).toBe(403);
    } finally {
      now -= 7200;
    }
  });

  it('answers 404 for a signed URL of a missing object', async () => {
    const answer = await send(signBucketPath({ path: '/buckets/dd/missing.mp3', secret: SECRET, expiresAt: now + 60 }));
    expect(answer.status).toBe(404);
  });

  // Signed with the real secret, so these reach the key resolution: they must still never leave the bucket.
  it.each([
    '/buckets/dd/../secret.txt',
    '/buckets/dd/../../secret.txt',
    '/buckets/dd/../other/secret.txt',
    '/buckets/dd/%2e%2e/secret.txt',
    '/buckets/dd/%2E%2E/%2e%2e/secret.txt',
    '/buckets/dd/%2e%2e%2fsecret.txt',
    '/buckets/dd/..%2F..%2Fsecret.txt',
    '/buckets/dd/..%2fother%2fsecret.txt',
    '/buckets/dd/%252e%252e/secret.txt',
    '/buckets/dd/..\\secret.txt',
    '/buckets/dd/..%5c..%5csecret.txt',
    '/buckets/dd/%5c..%5csecret.txt',
    '/buckets/dd/a.mp3%00',
    '/buckets/dd/secret.txt%00.mp3',
    '/buckets/dd//secret.txt',
    '/buckets/dd/./../secret.txt',
    '/buckets/%2e%2e/secret.txt',
    '/buckets/../secret.txt',
    '/buckets/dd%2f..%2fother/secret.txt',
    '/buckets/dd/%E0%A4%A',
  ])('%s → 400/404, never a file outside the bucket', async (rawPath) => {
    const answer = await send(signBucketPath({ path: rawPath, secret: SECRET, expiresAt: now + 60 }));
    expect([400, 404]).toContain(answer.status);
    expect(answer.body.toString('utf8')).not.toContain('TOP SECRET');
  });
});

describe('a public URL with a path prefix (behind a proxy that strips it)', () => {
  it('keeps the prefix in the MediaUrl and signs the path the server sees', async () => {
    const url = new URL(await storage.objectUrl({ bucket: 'dd', key: 'dir/50% off ünï (1)+x.mp3', publicBaseUrl: `${publicBaseUrl}/narrate/` }));
    expect(url.pathname.startsWith('/narrate/buckets/dd/dir/')).toBe(true);
    // What the proxy forwards: the same URL without its prefix.
    const answer = await send(url.pathname.slice('/narrate'.length) + url.search);
    expect(answer.status).toBe(200);
    expect(answer.body.toString('utf8')).toBe('bytes of the nested one');
    // The prefix itself reaching the server is not a bucket path.
    expect((await send(url.pathname + url.search)).status).toBe(404);
  });
});

describe('byte ranges', () => {
  const get = async (range: string, extra: Record<string, string> = {}) => send(await signedPath('dd', 'big.mp3'), { headers: { range, ...extra } });

  it.each([
    ['bytes=0-99', 0, 99],
    ['bytes=100-', 100, 999],
    ['bytes=-100', 900, 999],
    ['bytes=999-999', 999, 999],
    ['bytes=500-5000', 500, 999],
    ['bytes=-5000', 0, 999],
    ['Bytes=0-0', 0, 0],
    ['bytes=, 10-19 ,', 10, 19],
  ])('%s → 206 bytes %i-%i', async (range, start, end) => {
    const answer = await get(range);
    expect(answer.status).toBe(206);
    expect(answer.headers['content-range']).toBe(`bytes ${start}-${end}/1000`);
    expect(answer.headers['content-length']).toBe(String(end - start + 1));
    expect(answer.headers['accept-ranges']).toBe('bytes');
    expect(answer.headers['content-type']).toBe('audio/mpeg');
    expect(answer.body.equals(BIG.subarray(start, end + 1))).toBe(true);
  });

  it.each(['bytes=-0', 'bytes=1000-', 'bytes=1000-2000', 'bytes=5000-', 'bytes=-0,1000-', `bytes=${'9'.repeat(40)}-`])('%s → 416 with Content-Range: bytes */1000', async (range) => {
    const answer = await get(range);
    expect(answer.status).toBe(416);
    expect(answer.headers['content-range']).toBe('bytes */1000');
    expect(JSON.parse(answer.body.toString('utf8'))).toEqual({ Code: 'InvalidRange', Message: 'The requested range is not satisfiable: the object has 1000 bytes.' });
  });

  // Invalid ranges-specifier / unknown unit: ignored (RFC 9110 §14.2); several ranges: served whole (no multipart).
  it.each(['bytes=abc', 'bytes=5-1', 'bytes=', 'bytes=-', 'bytes=0-1-2', 'bytes=1.5-2', 'bytes 0-99', 'items=0-99', 'bytes=0-99,200-299', 'bytes=0-0,-1', 'bytes=0-99,5000-'])(
    '%s → 200 with the whole object',
    async (range) => {
      const answer = await get(range);
      expect(answer.status).toBe(200);
      expect(answer.headers['content-range']).toBeUndefined();
      expect(answer.headers['content-length']).toBe('1000');
      expect(answer.body.equals(BIG)).toBe(true);
    },
  );

  it('honours If-Range: the range applies only while Last-Modified matches', async () => {
    const head = await send(await signedPath('dd', 'big.mp3'), { method: 'HEAD' });
    const lastModified = head.headers['last-modified']!;
    expect((await get('bytes=0-9', { 'if-range': lastModified })).status).toBe(206);
    const stale = await get('bytes=0-9', { 'if-range': 'Thu, 01 Jan 1970 00:00:00 GMT' });
    expect(stale.status).toBe(200);
    expect(stale.body.equals(BIG)).toBe(true);
    expect((await get('bytes=0-9', { 'if-range': '"some-etag"' })).status).toBe(200);
  });

  it('serves an empty object whole, whatever the Range', async () => {
    const url = await signedPath('dd', 'empty.mp3');
    for (const range of ['bytes=0-', 'bytes=-1', 'bytes=-0']) {
      const answer = await send(url, { headers: { range } });
      expect(answer.status).toBe(200);
      expect(answer.headers['content-length']).toBe('0');
    }
  });

  it('decideRange matches RFC 9110 on edge cases', () => {
    expect(decideRange(undefined, 10)).toEqual({ kind: 'full' });
    expect(decideRange('bytes=-0', 10)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=-3', 10)).toEqual({ kind: 'partial', start: 7, end: 9 });
    expect(decideRange('bytes=9-', 10)).toEqual({ kind: 'partial', start: 9, end: 9 });
    expect(decideRange('bytes=10-', 10)).toEqual({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=3-2', 10)).toEqual({ kind: 'full' });
  });
});

describe('HEAD', () => {
  it("answers with the object's real Content-Length and GET's headers, without a body", async () => {
    const url = await signedPath('dd', 'big.mp3');
    const [head, get] = [await send(url, { method: 'HEAD' }), await send(url)];
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('1000');
    expect(head.body.length).toBe(0);
    for (const name of ['content-length', 'content-type', 'accept-ranges', 'last-modified']) expect(head.headers[name]).toBe(get.headers[name]);
  });

  it('works for a key with % in it', async () => {
    const answer = await send(await signedPath('dd', '%61.mp3'), { method: 'HEAD' });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-length']).toBe(String(Buffer.byteLength('bytes of %61.mp3')));
  });

  it('ignores Range (defined for GET only) and still gives the full length', async () => {
    const answer = await send(await signedPath('dd', 'big.mp3'), { method: 'HEAD', headers: { range: 'bytes=0-9' } });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-length']).toBe('1000');
  });

  it('refuses an unsigned HEAD with 403', async () => {
    expect((await send('/buckets/dd/big.mp3', { method: 'HEAD' })).status).toBe(403);
  });
});
