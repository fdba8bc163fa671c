import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStorage } from './create-storage.js';
import { startS3rver, S3RVER_CREDENTIALS } from './s3rver.test-utils.js';

describe('createStorage', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
  });

  it('uses <dataDir>/buckets on local disk by default', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'narrate-create-storage-'));
    dirs.push(dataDir);
    const storage = createStorage({ dataDir });
    expect(storage.kind).toBe('local');
    await storage.ping();
    expect((await fs.stat(path.join(dataDir, 'buckets'))).isDirectory()).toBe(true);
  });

  it('talks S3 when an endpoint is given, path-style by default', async () => {
    const server = await startS3rver({ buckets: ['picked-bucket'] });
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'narrate-create-storage-s3-'));
    dirs.push(dataDir);
    try {
      const storage = createStorage({
        dataDir,
        s3Endpoint: server.endpoint,
        s3AccessKeyId: S3RVER_CREDENTIALS.accessKeyId,
        s3SecretAccessKey: S3RVER_CREDENTIALS.secretAccessKey,
        s3PingBucket: 'picked-bucket',
      });
      expect(storage.kind).toBe('s3');
      expect(storage.tempPath().startsWith(path.join(dataDir, 'tmp') + path.sep)).toBe(true);
      await storage.ping();
      const url = new URL(await storage.objectUrl({ bucket: 'picked-bucket', key: 'a.mp3', publicBaseUrl: '' }));
      expect(url.pathname).toBe('/picked-bucket/a.mp3');
      expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
      if (storage.kind === 's3') storage.close();
    } finally {
      await server.close();
    }
  });

  it('refuses half a key pair', () => {
    expect(() => createStorage({ dataDir: '/x', storage: 's3', s3AccessKeyId: 'id' })).toThrow(/both/);
  });
});
