/**
 * Picks the object storage from configuration. Buckets are not configured here: each job names its
 * own in OutputConfig.bucket. Both kinds offer `tempPath()`: write the output there, then putObject it
 * (local: `<dataDir>/buckets/.tmp/…`, same filesystem, so the put is a rename; S3: `<dataDir>/tmp/…`).
 */
import path from 'node:path';
import { createLocalStorage, type LocalStorage } from './local.storage.js';
import { createS3Storage, type S3Storage, type SdkLogger } from './s3.storage.js';

export interface StorageConfig {
  /** Where objects go. Default: `s3` when s3Endpoint is set, else `local`. */
  storage?: 'local' | 's3';
  /** The data directory; local buckets live in `<dataDir>/buckets/<bucket>/<key>`. */
  dataDir: string;
  /** S3 service URL (`http://127.0.0.1:9000` MinIO, `https://s3.oss-cn-hangzhou.aliyuncs.com` OSS). Omit for AWS S3. */
  s3Endpoint?: string;
  /** Signing region. Default `us-east-1` (what MinIO, Ceph RGW and s3rver expect unless configured otherwise). */
  s3Region?: string;
  /** Path-style URLs. Default: true with an s3Endpoint (MinIO/Ceph), false without (AWS). Must be false for OSS. */
  s3ForcePathStyle?: boolean;
  /** Static access key id; with s3SecretAccessKey. Both unset: the AWS SDK default chain (env, ~/.aws, instance role). */
  s3AccessKeyId?: string;
  s3SecretAccessKey?: string;
  /** For temporary (STS) credentials. */
  s3SessionToken?: string;
  /** HeadBucket target for readiness checks; without it ping() lists buckets. */
  s3PingBucket?: string;
  /** Lifetime of presigned object URLs, seconds, 1 to 604800. Default 3600. */
  presignTtlSeconds?: number;
  /** Outputs at least this big are sent as multipart uploads. Default 16 MiB. */
  multipartThresholdBytes?: number;
  /** Receives the AWS SDK's warnings. Default: dropped. */
  logger?: SdkLogger;
}

export const DEFAULT_PRESIGN_TTL_SECONDS = 3600;
export const DEFAULT_MULTIPART_THRESHOLD_BYTES = 16 * 1024 * 1024;

export function createStorage(config: StorageConfig): LocalStorage | S3Storage {
  const kind = config.storage ?? (config.s3Endpoint ? 's3' : 'local');
  if (kind === 'local') return createLocalStorage({ root: path.join(config.dataDir, 'buckets') });

  if ((config.s3AccessKeyId === undefined) !== (config.s3SecretAccessKey === undefined)) {
    throw new Error('Set both the S3 access key id and the S3 secret access key, or neither (to use the AWS default credential chain).');
  }
  return createS3Storage({
    endpoint: config.s3Endpoint,
    region: config.s3Region ?? 'us-east-1',
    forcePathStyle: config.s3ForcePathStyle ?? config.s3Endpoint !== undefined,
    credentials:
      config.s3AccessKeyId !== undefined && config.s3SecretAccessKey !== undefined
        ? { accessKeyId: config.s3AccessKeyId, secretAccessKey: config.s3SecretAccessKey, sessionToken: config.s3SessionToken }
        : undefined,
    presignTtlSeconds: config.presignTtlSeconds ?? DEFAULT_PRESIGN_TTL_SECONDS,
    multipartThresholdBytes: config.multipartThresholdBytes ?? DEFAULT_MULTIPART_THRESHOLD_BYTES,
    pingBucket: config.s3PingBucket,
    logger: config.logger,
    tempDir: path.join(config.dataDir, 'tmp'),
  });
}
