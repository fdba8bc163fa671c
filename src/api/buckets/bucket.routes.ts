/**
 * GET/HEAD /buckets/<bucket>/<key>: serves objects of the local object store, with byte ranges
 * (browsers seek in audio with Range requests). URLs must carry a valid signature (bucket-url.ts).
 *
 * The signature covers the path exactly as sent (the storage signs the percent-encoded pathname of
 * the object URL), and the bucket and key are read from that same raw path, each segment decoded
 * once. Fastify's own `params` are not used: they are already decoded, and a second decode would
 * serve `a.mp3` for the URL of an object named `%61.mp3`.
 */
import { errors } from '../../shared/errors.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ObjectInfo, ObjectStorage } from '../../storage/storage.types.js';
import { validateBucketName, validateObjectKey } from '../../storage/object-key.models.js';
import { verifyBucketPath } from './bucket-url.js';

const PREFIX = '/buckets/';

/** What a Range header asks of an object of `size` bytes (RFC 9110 §14). */
export type RangeDecision =
  /** No usable Range: send the whole object with 200 (absent, unparseable, other unit, several ranges). */
  | { kind: 'full' }
  /** Send these bytes (inclusive) with 206. */
  | { kind: 'partial'; start: number; end: number }
  /** None of the requested ranges overlaps the object: 416 with `Content-Range: bytes *\/size`. */
  | { kind: 'unsatisfiable' };

const RANGE_SPEC = /^(?:(\d+)-(\d*)|-(\d+))$/;

/**
 * RFC 9110 §14.1.2 / §14.2 for a GET of `size` bytes. An invalid ranges-specifier (bad syntax,
 * `last < first`) and an unknown unit are ignored (200), as the RFC allows / requires. Several
 * ranges are not served as multipart/byteranges: the whole object is sent instead (a server may
 * ignore Range), unless none of them is satisfiable, which is 416. An empty object is always
 * sent whole: no byte range of it can be named in a Content-Range.
 */
export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined || size === 0) return { kind: 'full' };
  const equals = header.indexOf('=');
  if (equals < 0 || header.slice(0, equals).trim().toLowerCase() !== 'bytes') return { kind: 'full' };
  // range-set = 1#range-spec: comma-separated, optional whitespace, empty elements tolerated.
  const specs = header.slice(equals + 1).split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (specs.length === 0) return { kind: 'full' };
  const satisfiable: Array<{ start: number; end: number }> = [];
  for (const spec of specs) {
    const match = RANGE_SPEC.exec(spec);
    if (!match) return { kind: 'full' };
    if (match[3] !== undefined) {
      // suffix-range: the last N bytes; N = 0 names no byte at all.
      const length = Number(match[3]);
      if (length > 0) satisfiable.push({ start: Math.max(size - length, 0), end: size - 1 });
      continue;
    }
    const first = Number(match[1]);
    const last = match[2] === '' ? undefined : Number(match[2]);
    if (last !== undefined && last < first) return { kind: 'full' };
    if (first < size) satisfiable.push({ start: first, end: Math.min(last ?? size - 1, size - 1) });
  }
  if (satisfiable.length === 0) return { kind: 'unsatisfiable' };
  if (specs.length > 1) return { kind: 'full' };
  return { kind: 'partial', ...satisfiable[0]! };
}

/**
 * If-Range (RFC 9110 §13.1.5): the range applies only while the object is unchanged. We send no
 * ETag, so only a date exactly equal to our Last-Modified matches; anything else means "send it all".
 */
function ifRangeAllows(header: string | string[] | undefined, info: ObjectInfo): boolean {
  return header === undefined || (typeof header === 'string' && header.trim() === info.modifiedAt.toUTCString());
}

/** Bucket and key from the raw (still percent-encoded) request path, each segment decoded once. */
function parseObjectPath(rawPath: string): { bucket: string; key: string } | 'invalid' {
  if (!rawPath.startsWith(PREFIX)) return 'invalid';
  const segments = rawPath.slice(PREFIX.length).split('/');
  if (segments.length < 2) return 'invalid';
  let decoded: string[];
  try {
    decoded = segments.map((segment) => decodeURIComponent(segment));
  } catch {
    return 'invalid';
  }
  // An encoded "/" would re-cut the key into other folders than the URL shows: no URL we sign has one.
  if (decoded.some((segment) => segment.includes('/'))) return 'invalid';
  const [bucket, ...keySegments] = decoded as [string, ...string[]];
  const key = keySegments.join('/');
  try {
    validateBucketName(bucket);
    validateObjectKey(key);
  } catch {
    return 'invalid';
  }
  return { bucket, key };
}

export function registerBucketRoutes(app: FastifyInstance, { storage, urlSecret, nowSeconds }: { storage: ObjectStorage; urlSecret: string; nowSeconds: () => number }) {
  const sendHeaders = (reply: FastifyReply, info: ObjectInfo) =>
    reply.header('accept-ranges', 'bytes').header('content-type', info.contentType).header('last-modified', info.modifiedAt.toUTCString());
  const notFound = (reply: FastifyReply) => reply.code(404).send({ Code: 'ObjectNotFound', Message: 'The specified object does not exist.' });

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const rawUrl = request.raw.url ?? request.url;
    const queryAt = rawUrl.indexOf('?');
    const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
    const query = request.query as Record<string, unknown>;
    const expires = typeof query.Expires === 'string' ? query.Expires : undefined;
    const signature = typeof query.Signature === 'string' ? query.Signature : undefined;
    if (!verifyBucketPath({ path: rawPath, expires, signature, secret: urlSecret, nowSeconds: nowSeconds() })) {
      return reply.code(403).send({ Code: 'AccessDenied', Message: 'The URL is not signed, or its signature has expired. Ask GetSmartHandleJob or GetMediaInfo for a fresh MediaUrl.' });
    }
    const target = parseObjectPath(rawPath);
    if (target === 'invalid') return reply.code(400).send({ Code: 'InvalidParameter', Message: 'The object key is not validly encoded.' });

    // Size and range are decided on one stat, the bytes read from the handle getObject opens; if the
    // object was replaced in between (sizes differ), decide again on the new one.
    for (let attempt = 0; attempt < 3; attempt++) {
      const info = await storage.headObject(target).catch(() => null);
      if (!info) return notFound(reply);
      // Range is defined for GET only (RFC 9110 §14.2): HEAD answers as a GET without Range would.
      const range =
        request.method === 'GET' && ifRangeAllows(request.headers['if-range'], info) ? decideRange(request.headers.range, info.bytes) : { kind: 'full' as const };
      if (range.kind === 'unsatisfiable') {
        // The code docs/errors.md lists, in the body every other bucket error has (S3 sends one too).
        const refused = errors.rangeNotSatisfiable(info.bytes);
        return reply.code(416).header('accept-ranges', 'bytes').header('content-range', `bytes */${info.bytes}`).send({ Code: refused.code, Message: refused.message });
      }
      if (request.method === 'HEAD') return sendHeaders(reply, info).header('content-length', info.bytes).send();

      const object = await storage
        .getObject({ ...target, range: range.kind === 'partial' ? { start: range.start, end: range.end } : undefined })
        .catch(() => null);
      if (!object) continue;
      if (object.info.bytes !== info.bytes) {
        object.body.destroy();
        continue;
      }
      sendHeaders(reply, object.info);
      if (range.kind === 'partial') {
        reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${info.bytes}`).header('content-length', range.end - range.start + 1);
      } else {
        reply.header('content-length', info.bytes);
      }
      return reply.send(object.body);
    }
    // Missing on every attempt after a successful head, or replaced three times in a row.
    return notFound(reply);
  };
  // HEAD is declared with GET, not left to Fastify's automatic HEAD route: that one answers a bodiless
  // reply with `content-length: 0`, whatever length the handler set.
  app.route({ method: ['GET', 'HEAD'], url: '/buckets/:bucket/*', handler });
}
