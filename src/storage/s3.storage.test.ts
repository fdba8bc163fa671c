import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Storage, type S3Storage } from './s3.storage.js';
import { S3RVER_CREDENTIALS, startS3rver } from './s3rver.test-utils.js';
import { readAll, runStorageContract } from './storage.test-suite.js';
import { BucketNotFoundError, ObjectExistsError } from './storage.types.js';

const BUCKET = 'narrate-contract';

async function sourceWriter() {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'narrate-s3-src-'));
  let n = 0;
  return {
    dir,
    async write(bytes: Buffer | string) {
      const file = path.join(dir, `src-${++n}`);
      await fs.writeFile(file, bytes);
      return file;
    },
  };
}

runStorageContract('s3 (s3rver on loopback)', async () => {
  const server = await startS3rver({ buckets: [BUCKET] });
  const sources = await sourceWriter();
  const storage = createS3Storage({
    endpoint: server.endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
    presignTtlSeconds: 300,
    multipartThresholdBytes: 8 * 1024 * 1024,
    pingBucket: BUCKET,
    tempDir: path.join(sources.dir, 'tmp'),
  });
  return {
    storage,
    bucket: BUCKET,
    // s3rver ignores If-None-Match, so this runs the documented HEAD-then-PUT fallback.
    atomicCreate: false,
    // s3rver writes object files in place: concurrent PUTs of one key can mix bytes (real S3 does not).
    atomicWrites: false,
    urlsAreFetchable: true,
    async writeSource(bytes) {
      const file = storage.tempPath();
      await fs.writeFile(file, bytes);
      return file;
    },
    async close() {
      storage.close();
      await server.close();
      await fs.rm(sources.dir, { recursive: true, force: true });
    },
  };
});

describe('s3 storage on s3rver', () => {
  let server: Awaited<ReturnType<typeof startS3rver>>;
  let sources: Awaited<ReturnType<typeof sourceWriter>>;
  let storage: S3Storage;

  beforeAll(async () => {
    server = await startS3rver({ buckets: ['big-bucket'] });
    sources = await sourceWriter();
    storage = createS3Storage({
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
      presignTtlSeconds: 60,
      multipartThresholdBytes: 6 * 1024 * 1024,
      pingBucket: 'big-bucket',
    });
  });
  afterAll(async () => {
    storage?.close();
    await server?.close();
    await fs.rm(sources.dir, { recursive: true, force: true });
  });

  it('refuses a write to a bucket the server does not have as BucketNotFoundError (not retried as an outage)', async () => {
    for (const overwrite of [true, false]) {
      const source = await sources.write('bytes');
      const error = await storage.putObject({ bucket: 'no-such-bucket', key: 'a.mp3', sourcePath: source, contentType: 'audio/mpeg', overwrite }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BucketNotFoundError);
      expect((error as BucketNotFoundError).bucket).toBe('no-such-bucket');
    }
  });

  it('round-trips a 12 MiB object as a multipart upload', async () => {
    const bytes = Buffer.alloc(12 * 1024 * 1024 + 17);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + (i >> 10)) & 255;
    const commands: string[] = [];
    storage.client.middlewareStack.add(
      (next, context) => async (args) => {
        commands.push(context.commandName ?? '');
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    const info = await storage.putObject({ bucket: 'big-bucket', key: 'long/book.wav', sourcePath: await sources.write(bytes), contentType: 'audio/wav', overwrite: false });
    expect(info.bytes).toBe(bytes.length);
    storage.client.middlewareStack.remove('recordCommands');
    // 12 MiB in 5 MiB parts: three UploadPart calls, no single PutObject.
    expect(commands.filter((c) => c === 'UploadPartCommand')).toHaveLength(3);
    expect(commands).toContain('CompleteMultipartUploadCommand');
    expect(commands).not.toContain('PutObjectCommand');
    const got = await storage.getObject({ bucket: 'big-bucket', key: 'long/book.wav' });
    expect(got?.info).toMatchObject({ bytes: bytes.length, contentType: 'audio/wav' });
    expect((await readAll(got!.body)).equals(bytes)).toBe(true);
    const tail = await storage.getObject({ bucket: 'big-bucket', key: 'long/book.wav', range: { start: bytes.length - 5 } });
    expect((await readAll(tail!.body)).equals(bytes.subarray(bytes.length - 5))).toBe(true);

    await expect(
      storage.putObject({ bucket: 'big-bucket', key: 'long/book.wav', sourcePath: await sources.write(Buffer.alloc(7 * 1024 * 1024)), contentType: 'audio/wav', overwrite: false }),
    ).rejects.toBeInstanceOf(ObjectExistsError);
    expect((await storage.headObject({ bucket: 'big-bucket', key: 'long/book.wav' }))?.bytes).toBe(bytes.length);
  });

  it('presigned URLs carry the configured lifetime', async () => {
    const url = new URL(await storage.objectUrl({ bucket: 'big-bucket', key: 'long/book.wav', publicBaseUrl: 'ignored' }));
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(url.pathname).toBe('/big-bucket/long/book.wav');
  });

  it('ping fails when the bucket is missing', async () => {
    const other = createS3Storage({
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
      presignTtlSeconds: 60,
      multipartThresholdBytes: 6 * 1024 * 1024,
      pingBucket: 'not-there',
    });
    await expect(other.ping()).rejects.toThrow();
    other.close();
  });
});

/**
 * s3rver ignores If-None-Match, so the server's side of a conditional write is played by a tiny HTTP
 * server at the network edge: it answers exactly what AWS S3 (412) or an old server (501) would.
 */
describe('s3 storage conditional-write answers', () => {
  type Mode = 'precondition-failed' | 'not-implemented';
  let mode: Mode = 'precondition-failed';
  const puts: Array<{ ifNoneMatch: string | undefined }> = [];
  let server: http.Server;
  let endpoint: string;
  let sources: Awaited<ReturnType<typeof sourceWriter>>;

  beforeAll(async () => {
    sources = await sourceWriter();
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (req.method === 'HEAD') {
          res.writeHead(404).end();
          return;
        }
        const ifNoneMatch = req.headers['if-none-match'];
        puts.push({ ifNoneMatch });
        const fail = (status: number, code: string) =>
          res.writeHead(status, { 'content-type': 'application/xml' }).end(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>m</Message></Error>`);
        if (ifNoneMatch === '*' && mode === 'precondition-failed') return fail(412, 'PreconditionFailed');
        if (ifNoneMatch !== undefined && mode === 'not-implemented') return fail(501, 'NotImplemented');
        res.writeHead(200, { etag: '"d41d8cd98f00b204e9800998ecf8427e"' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await fs.rm(sources.dir, { recursive: true, force: true });
  });

  const make = () =>
    createS3Storage({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS, presignTtlSeconds: 60, multipartThresholdBytes: 1 << 30 });

  it('turns 412 PreconditionFailed into ObjectExistsError', async () => {
    mode = 'precondition-failed';
    puts.length = 0;
    const storage = make();
    await expect(
      storage.putObject({ bucket: 'edge-bucket', key: 'race.mp3', sourcePath: await sources.write('x'), contentType: 'audio/mpeg', overwrite: false }),
    ).rejects.toBeInstanceOf(ObjectExistsError);
    expect(puts).toEqual([{ ifNoneMatch: '*' }]);
    // overwrite=true never sends the condition.
    await storage.putObject({ bucket: 'edge-bucket', key: 'race.mp3', sourcePath: await sources.write('x'), contentType: 'audio/mpeg', overwrite: true });
    expect(puts[1]).toEqual({ ifNoneMatch: undefined });
    storage.close();
  });

  it('falls back to plain PUT, once and for good, when the server answers 501', async () => {
    mode = 'not-implemented';
    puts.length = 0;
    const storage = make();
    await storage.putObject({ bucket: 'edge-bucket', key: 'a.mp3', sourcePath: await sources.write('x'), contentType: 'audio/mpeg', overwrite: false });
    expect(storage.conditionalWrites).toBe(false);
    await storage.putObject({ bucket: 'edge-bucket', key: 'b.mp3', sourcePath: await sources.write('x'), contentType: 'audio/mpeg', overwrite: false });
    expect(puts).toEqual([{ ifNoneMatch: '*' }, { ifNoneMatch: undefined }, { ifNoneMatch: undefined }]);
    storage.close();
  });
});
