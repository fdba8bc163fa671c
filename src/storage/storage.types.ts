/**
 * The object-storage port: local disk (`<data-dir>/buckets/<bucket>/<key>`) or an S3-compatible
 * service. Both pass storage.test-suite.ts. Keys are validated by `validateObjectKey` before they
 * get here; implementations still refuse anything that would leave the bucket.
 */
import type { Readable } from 'node:stream';

export interface PutObjectArgs {
  bucket: string;
  key: string;
  /** A local file to upload/move; the storage takes ownership (it may rename it away). */
  sourcePath: string;
  contentType: string;
  /** false: fail with ObjectExistsError when the key exists, leaving it untouched. true: replace atomically. */
  overwrite: boolean;
}

export interface ObjectInfo {
  bucket: string;
  key: string;
  bytes: number;
  contentType: string;
  modifiedAt: Date;
}

export class ObjectExistsError extends Error {
  constructor(readonly bucket: string, readonly key: string) {
    super(`Object ${bucket}/${key} already exists and Overwrite is false.`);
    this.name = 'ObjectExistsError';
  }
}

/**
 * The bucket a write names does not exist in the object store (S3's NoSuchBucket). A client's
 * mistake, not an outage: retrying cannot help, so the job fails at once with its own code.
 */
export class BucketNotFoundError extends Error {
  constructor(readonly bucket: string) {
    super(`The bucket ${bucket} does not exist in the object store.`);
    this.name = 'BucketNotFoundError';
  }
}

export interface ObjectStorage {
  readonly kind: 'local' | 's3';
  /** Writes the object so readers see either nothing/the old object or the whole new one, never a part. */
  putObject(args: PutObjectArgs): Promise<ObjectInfo>;
  headObject(args: { bucket: string; key: string }): Promise<ObjectInfo | null>;
  /** Streams the object (optionally a byte range, inclusive end). Null when missing. */
  getObject(args: { bucket: string; key: string; range?: { start: number; end?: number } }): Promise<{ info: ObjectInfo; body: Readable } | null>;
  deleteObject(args: { bucket: string; key: string }): Promise<void>;
  /**
   * A URL a client can fetch the object from: for local storage, Narrate's own /buckets route
   * under publicBaseUrl; for S3, a presigned GET valid for the configured lifetime.
   */
  /** A URL that downloads the object; a signed one lives `ttlSeconds` (default: the storage's own). */
  objectUrl(args: { bucket: string; key: string; publicBaseUrl: string; ttlSeconds?: number }): Promise<string>;
  /** Cheap check for readiness. */
  ping(): Promise<void>;
}
