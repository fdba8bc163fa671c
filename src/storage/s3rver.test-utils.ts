/**
 * Starts s3rver (a real S3-compatible HTTP server in JS, on disk) on 127.0.0.1 with a free port, for
 * tests. It accepts any SigV4 signature with the keys below, does multipart and presigned GETs, and
 * ignores If-None-Match on writes (so overwrite=false runs on our HEAD-then-PUT fallback there).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export async function startS3rver(args: { buckets: string[] }): Promise<{ endpoint: string; close(): Promise<void> }> {
  const directory = await fs.mkdtemp(path.join(os.tmpdir(), 'narrate-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: args.buckets.map((name) => ({ name })),
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    async close() {
      await server.close();
      await fs.rm(directory, { recursive: true, force: true });
    },
  };
}
