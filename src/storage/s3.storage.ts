/**
 * Object storage on any S3-compatible service (AWS S3, MinIO, Ceph RGW, Alibaba OSS's S3 endpoint).
 *
 * Overwrite=false is enforced twice: a HEAD first (cheap, and the only guard on servers that ignore
 * conditional headers), then the write itself carries `If-None-Match: *`, which closes the race on
 * servers that support it (AWS since 2024, recent MinIO, Ceph RGW): the loser gets 412 and becomes
 * ObjectExistsError. A server that answers 501/NotImplemented to the header is remembered and written
 * to without it; a server that silently ignores it (s3rver, older MinIO) leaves a small race window
 * between HEAD and PUT in which two writers can both succeed (the later one wins).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { errors } from '../shared/errors.js';
import { validateBucketName, validateObjectKey } from './object-key.models.js';
import { BucketNotFoundError, ObjectExistsError, type ObjectInfo, type ObjectStorage, type PutObjectArgs } from './storage.types.js';

/** S3's minimum part size for every part but the last. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** SigV4 presigned URLs live at most 7 days. */
export const MAX_PRESIGN_TTL_SECONDS = 7 * 24 * 3600;

export interface S3StorageOptions {
  /** Service URL, e.g. `http://127.0.0.1:9000` for MinIO. Omit for AWS S3 (derived from the region). */
  endpoint?: string;
  /** Signing region: the bucket's region on AWS, `us-east-1` for most MinIO/Ceph setups, `cn-hangzhou` etc. for OSS. */
  region: string;
  /** true: `http://host/bucket/key` (MinIO, Ceph, s3rver). false: `http://bucket.host/key` (AWS, required by OSS). */
  forcePathStyle: boolean;
  /** Static keys; when omitted the AWS SDK default chain is used (environment, shared config files, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Lifetime of the presigned GET URLs objectUrl returns, 1 s to 7 days. */
  presignTtlSeconds: number;
  /** Files at least this big go up as a multipart upload (parts ≥ 5 MiB); smaller ones as one PutObject. */
  multipartThresholdBytes: number;
  /** Bucket ping() checks with HeadBucket; without one, ping() lists buckets (needs s3:ListAllMyBuckets). */
  pingBucket?: string;
  /** Parts uploaded at once in a multipart upload. Default 4. */
  multipartConcurrency?: number;
  /** Clock for modifiedAt of a just-written object. */
  now?: () => Date;
  /** Directory for tempPath(): files the caller writes before putObject. Default `<os tmpdir>/narrate-s3`. */
  tempDir?: string;
  /** Where the AWS SDK's own warnings go (e.g. a pino child). Default: dropped, not printed to the console. */
  logger?: SdkLogger;
}

/** The logger shape the AWS SDK accepts. */
export interface SdkLogger {
  trace?: (...content: unknown[]) => void;
  debug: (...content: unknown[]) => void;
  info: (...content: unknown[]) => void;
  warn: (...content: unknown[]) => void;
  error: (...content: unknown[]) => void;
}

const SILENT_LOGGER: SdkLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

export type S3Storage = ReturnType<typeof createS3Storage>;

export function createS3Storage(options: S3StorageOptions) {
  if (!Number.isInteger(options.presignTtlSeconds) || options.presignTtlSeconds < 1 || options.presignTtlSeconds > MAX_PRESIGN_TTL_SECONDS) {
    throw new RangeError(`presignTtlSeconds must be an integer from 1 to ${MAX_PRESIGN_TTL_SECONDS}, not ${options.presignTtlSeconds}.`);
  }
  const now = options.now ?? (() => new Date());
  const client = new S3Client({
    endpoint: options.endpoint,
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
    // The SDK warns on the console for every failed streamed request, including our expected 412s.
    logger: options.logger ?? SILENT_LOGGER,
    // The SDK's default (CRC32 trailers with aws-chunked bodies since 2025) is refused by OSS, older
    // MinIO/Ceph and s3rver; Content-Length plus the server's own MD5 ETag is what they all accept.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const tempDir = options.tempDir ?? path.join(os.tmpdir(), 'narrate-s3');
  let tempDirReady = false;
  /** Flipped once a server says it does not implement conditional writes. */
  let conditionalWrites = true;

  async function head(bucket: string, key: string): Promise<ObjectInfo | null> {
    try {
      const out = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      return {
        bucket,
        key,
        bytes: out.ContentLength ?? 0,
        contentType: out.ContentType ?? 'application/octet-stream',
        modifiedAt: out.LastModified ?? now(),
      };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async function write(args: PutObjectArgs & { bytes: number; ifNoneMatch: boolean }): Promise<void> {
    const params = {
      Bucket: args.bucket,
      Key: args.key,
      ContentType: args.contentType,
      ...(args.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
    };
    if (args.bytes < options.multipartThresholdBytes) {
      // A Buffer body, unlike a stream, lets the SDK retry a PUT after a network error or a 5xx.
      await client.send(new PutObjectCommand({ ...params, Body: await fs.readFile(args.sourcePath), ContentLength: args.bytes }));
      return;
    }
    // lib-storage passes IfNoneMatch on to CompleteMultipartUpload, where S3 checks it.
    const upload = new Upload({
      client,
      params: { ...params, Body: createReadStream(args.sourcePath) },
      partSize: Math.max(MIN_PART_BYTES, Math.ceil(args.bytes / 10_000)),
      queueSize: options.multipartConcurrency ?? 4,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async function putNoOverwrite(args: PutObjectArgs & { bytes: number }): Promise<void> {
    // AWS answers 409 ConditionalRequestConflict when two conditional writes race; retrying resolves it to 412.
    for (let attempt = 0; ; attempt++) {
      if ((await head(args.bucket, args.key)) !== null) throw new ObjectExistsError(args.bucket, args.key);
      try {
        await write({ ...args, ifNoneMatch: conditionalWrites });
        return;
      } catch (error) {
        if (isPreconditionFailed(error)) throw new ObjectExistsError(args.bucket, args.key);
        if (conditionalWrites && isNotImplemented(error)) {
          conditionalWrites = false;
          continue;
        }
        if (isConditionalConflict(error) && attempt < 3) continue;
        throw error;
      }
    }
  }

  const storage = {
    kind: 's3' as const,
    client,

    /** A fresh path for the caller to write an object's bytes to before putObject (which deletes it). */
    tempPath(): string {
      if (!tempDirReady) {
        // Sync once: callers want a path now, and this runs at most once per process.
        mkdirSync(tempDir, { recursive: true });
        tempDirReady = true;
      }
      return path.join(tempDir, randomBytes(12).toString('hex'));
    },

    /** Whether writes still send `If-None-Match: *` (false after a server answered 501 to it). */
    get conditionalWrites(): boolean {
      return conditionalWrites;
    },

    async putObject(args: PutObjectArgs): Promise<ObjectInfo> {
      validateBucketName(args.bucket);
      validateObjectKey(args.key);
      try {
        const { size } = await fs.stat(args.sourcePath);
        if (args.overwrite) await write({ ...args, bytes: size, ifNoneMatch: false });
        else await putNoOverwrite({ ...args, bytes: size });
        return { bucket: args.bucket, key: args.key, bytes: size, contentType: args.contentType, modifiedAt: now() };
      } catch (error) {
        if (codeOf(error) === 'NoSuchBucket') throw new BucketNotFoundError(args.bucket);
        throw error;
      } finally {
        // The storage owns the source file whatever happened.
        await fs.unlink(args.sourcePath).catch(() => undefined);
      }
    },

    async headObject(args: { bucket: string; key: string }): Promise<ObjectInfo | null> {
      validateBucketName(args.bucket);
      validateObjectKey(args.key);
      return head(args.bucket, args.key);
    },

    async getObject(args: { bucket: string; key: string; range?: { start: number; end?: number } }) {
      validateBucketName(args.bucket);
      validateObjectKey(args.key);
      const range = args.range === undefined ? undefined : rangeHeader(args.range);
      try {
        const out = await client.send(new GetObjectCommand({ Bucket: args.bucket, Key: args.key, Range: range }));
        const served = parseContentRange(out.ContentRange);
        const total = served?.total ?? out.ContentLength ?? 0;
        const info: ObjectInfo = {
          bucket: args.bucket,
          key: args.key,
          bytes: total,
          contentType: out.ContentType ?? 'application/octet-stream',
          modifiedAt: out.LastModified ?? now(),
        };
        const body = out.Body as Readable;
        if (args.range === undefined) return { info, body };
        return { info, body: trimToRange({ body, requested: args.range, served, total }) };
      } catch (error) {
        if (isNotFound(error)) return null;
        if (statusOf(error) === 416) {
          const info = await head(args.bucket, args.key);
          if (info === null) return null;
          throw errors.rangeNotSatisfiable(info.bytes);
        }
        throw error;
      }
    },

    async deleteObject(args: { bucket: string; key: string }): Promise<void> {
      validateBucketName(args.bucket);
      validateObjectKey(args.key);
      try {
        await client.send(new DeleteObjectCommand({ Bucket: args.bucket, Key: args.key }));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },

    /** A presigned GET, valid for ttlSeconds or presignTtlSeconds; publicBaseUrl is not used (the bucket serves it). */
    async objectUrl(args: { bucket: string; key: string; publicBaseUrl: string; ttlSeconds?: number }): Promise<string> {
      validateBucketName(args.bucket);
      validateObjectKey(args.key);
      return getSignedUrl(client, new GetObjectCommand({ Bucket: args.bucket, Key: args.key }), { expiresIn: args.ttlSeconds ?? options.presignTtlSeconds });
    },

    async ping(): Promise<void> {
      if (options.pingBucket !== undefined) await client.send(new HeadBucketCommand({ Bucket: options.pingBucket }));
      else await client.send(new ListBucketsCommand({}));
    },

    /** Closes the SDK's keep-alive sockets. */
    close(): void {
      client.destroy();
    },
  };
  return storage satisfies ObjectStorage;
}

function rangeHeader(range: { start: number; end?: number }): string {
  if (!Number.isSafeInteger(range.start) || range.start < 0) throw errors.invalidParameter('Range', 'start must be a non-negative integer.');
  if (range.end === undefined) return `bytes=${range.start}-`;
  if (!Number.isSafeInteger(range.end) || range.end < range.start) throw errors.invalidParameter('Range', 'end must be an integer not below start.');
  return `bytes=${range.start}-${range.end}`;
}

function parseContentRange(value: string | undefined): { start: number; end: number; total: number } | undefined {
  const match = value === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+)\s*$/.exec(value);
  return match ? { start: Number(match[1]), end: Number(match[2]), total: Number(match[3]) } : undefined;
}

/**
 * HTTP lets a server ignore Range (200 with the whole body) or serve more than asked (s3rver turns
 * `bytes=0-0` into the whole object); cut what came back down to the range that was asked for.
 */
function trimToRange(args: {
  body: Readable;
  requested: { start: number; end?: number };
  served: { start: number; end: number } | undefined;
  total: number;
}): Readable {
  const servedStart = args.served?.start ?? 0;
  const servedEnd = args.served?.end ?? args.total - 1;
  const wantEnd = Math.min(args.requested.end ?? args.total - 1, args.total - 1);
  if (servedStart === args.requested.start && servedEnd === wantEnd) return args.body;
  if (servedStart > args.requested.start || servedEnd < wantEnd) {
    args.body.destroy();
    throw errors.internal(new Error(`storage served bytes ${servedStart}-${servedEnd} for a request of ${args.requested.start}-${wantEnd}`));
  }
  let skip = args.requested.start - servedStart;
  let left = wantEnd - args.requested.start + 1;
  const source = args.body;
  return Readable.from(
    (async function* () {
      try {
        for await (const chunk of source) {
          let buf = Buffer.from(chunk as Uint8Array);
          if (skip > 0) {
            const dropped = Math.min(skip, buf.length);
            buf = buf.subarray(dropped);
            skip -= dropped;
          }
          if (buf.length === 0) continue;
          const take = buf.subarray(0, left);
          left -= take.length;
          yield take;
          if (left === 0) return;
        }
      } finally {
        source.destroy();
      }
    })(),
  );
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function codeOf(error: unknown): string | undefined {
  if (error instanceof S3ServiceException) return error.name;
  return (error as { name?: string; Code?: string } | undefined)?.Code ?? (error as { name?: string } | undefined)?.name;
}

/** A missing bucket counts as a missing object, as it does for local storage. */
function isNotFound(error: unknown): boolean {
  const code = codeOf(error);
  return statusOf(error) === 404 || code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchBucket';
}

function isPreconditionFailed(error: unknown): boolean {
  // OSS's own no-overwrite check answers 409 FileAlreadyExists.
  return statusOf(error) === 412 || codeOf(error) === 'PreconditionFailed' || codeOf(error) === 'FileAlreadyExists';
}

function isConditionalConflict(error: unknown): boolean {
  return statusOf(error) === 409 && codeOf(error) === 'ConditionalRequestConflict';
}

function isNotImplemented(error: unknown): boolean {
  return statusOf(error) === 501 || codeOf(error) === 'NotImplemented';
}
