/**
 * GET/HEAD /buckets/<bucket>/<key>: serves objects of the local object store, with byte ranges
 * (browsers seek in audio with Range requests). URLs must carry a valid signature (bucket-url.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { ObjectStorage } from '../../storage/storage.types.js';
import { verifyBucketPath } from './bucket-url.js';

function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'invalid' {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return 'invalid';
  if (match[1] === '') {
    const suffix = Math.min(Number(match[2]), size);
    return { start: size - suffix, end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start > end || start >= size) return 'invalid';
  return { start, end };
}

export function registerBucketRoutes(app: FastifyInstance, { storage, urlSecret, nowSeconds }: { storage: ObjectStorage; urlSecret: string; nowSeconds: () => number }) {
  const handler = async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    const rawPath = request.url.split('?')[0]!;
    const query = request.query as Record<string, string | undefined>;
    if (!verifyBucketPath({ path: rawPath, expires: query.Expires, signature: query.Signature, secret: urlSecret, nowSeconds: nowSeconds() })) {
      return reply.code(403).send({ Code: 'AccessDenied', Message: 'The URL is not signed, or its signature has expired. Ask GetSmartHandleJob or GetMediaInfo for a fresh MediaUrl.' });
    }
    const params = request.params as { bucket: string; '*': string };
    let key: string;
    try {
      key = params['*'].split('/').map((segment) => decodeURIComponent(segment)).join('/');
    } catch {
      return reply.code(400).send({ Code: 'InvalidParameter', Message: 'The object key is not validly encoded.' });
    }
    const info = await storage.headObject({ bucket: params.bucket, key }).catch(() => null);
    if (!info) return reply.code(404).send({ Code: 'ObjectNotFound', Message: 'The specified object does not exist.' });
    const range = parseRange(request.headers.range, info.bytes);
    if (range === 'invalid') return reply.code(416).header('content-range', `bytes */${info.bytes}`).send();
    reply.header('accept-ranges', 'bytes').header('content-type', info.contentType).header('last-modified', info.modifiedAt.toUTCString());
    if (request.method === 'HEAD') return reply.header('content-length', info.bytes).send();
    const object = await storage.getObject({ bucket: params.bucket, key, range: range ?? undefined });
    if (!object) return reply.code(404).send({ Code: 'ObjectNotFound', Message: 'The specified object does not exist.' });
    if (range) {
      reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${info.bytes}`).header('content-length', range.end - range.start + 1);
    } else {
      reply.header('content-length', info.bytes);
    }
    return reply.send(object.body);
  };
  app.get('/buckets/:bucket/*', handler);
}
