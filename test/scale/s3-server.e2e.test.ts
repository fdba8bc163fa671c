/**
 * A server on PostgreSQL + S3 (s3rver on loopback), end to end through the ICE API: presigned
 * MediaUrl / FileUrl with the configured lifetime, Overwrite=false against an existing S3 object,
 * and /healthz, /readyz as a load balancer sees them when the database or the object store goes away.
 */
import net from 'node:net';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startS3rver, S3RVER_CREDENTIALS } from '../../src/storage/s3rver.test-utils.js';
import { decodeAudio } from '../support/audio-analysis.js';
import { popCoreClient } from '../support/ice-clients.js';
import { startTestServer, TEST_KEY, waitFor, type TestServer } from '../support/narrate-server.js';
import { dropSchema, newSchemaName, skipReason, TEST_DATABASE_URL, type Body } from './scale.test-utils.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

async function s3Server({ url, buckets, presignSeconds = 3600, databaseUrl = url, roles }: { url: string; buckets: string[]; presignSeconds?: number; databaseUrl?: string; roles?: { api: boolean; worker: boolean } }) {
  const s3 = await startS3rver({ buckets });
  cleanups.push(() => s3.close());
  const schema = newSchemaName('scale_s3');
  cleanups.push(() => dropSchema({ url, schema }));
  const server = await startTestServer(
    {
      databaseUrl,
      databaseSchema: schema,
      s3Endpoint: s3.endpoint,
      s3Region: 'us-east-1',
      s3ForcePathStyle: true,
      s3AccessKeyId: S3RVER_CREDENTIALS.accessKeyId,
      s3SecretAccessKey: S3RVER_CREDENTIALS.secretAccessKey,
      presignSeconds,
    },
    roles,
  );
  cleanups.push(() => server.stop());
  const client = popCoreClient({ port: server.port, ...TEST_KEY });
  const s3Client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3RVER_CREDENTIALS });
  cleanups.push(async () => s3Client.destroy());
  return { s3, server, s3Client, call: (action: string, params: Record<string, string>) => client.request(action, params, { method: 'POST' }) as Promise<Body> };
}

async function finished(call: (action: string, params: Record<string, string>) => Promise<Body>, jobId: string): Promise<Body> {
  return waitFor(async () => {
    const body = await call('GetSmartHandleJob', { JobId: jobId });
    return body.State === 'Finished' || body.State === 'Failed' ? body : null;
  }, { what: `job ${jobId}` });
}

/** A TCP forwarder that can be cut (port closed, connections dropped) and restored on the same port. */
async function startCuttableProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>();
  let server: net.Server | null = null;
  let port = 0;
  const open = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => undefined);
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });
  await open();
  return {
    get port() {
      return port;
    },
    async cut() {
      const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
    restore: open,
  };
}

describe.skipIf(skipReason('the PostgreSQL + S3 server tests') !== null)('PostgreSQL + S3 through the ICE API', () => {
  const url = TEST_DATABASE_URL!;
  let setup: Awaited<ReturnType<typeof s3Server>>;

  beforeAll(async () => {
    setup = await s3Server({ url, buckets: ['media', 'keep'], presignSeconds: 123 });
  });

  it('MediaUrl and GetMediaInfo FileUrl are presigned S3 URLs with the configured lifetime, and download the object', async () => {
    const submitted = await setup.call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Harry', format: 'WAV' }),
      InputConfig: 'Objects live in S3 now. Presigned links expire.',
      OutputConfig: JSON.stringify({ bucket: 'media', object: 'dir/speech' }),
    });
    const result = await finished(setup.call, submitted.JobId);
    expect(result.State, `${result.ErrorCode} ${result.ErrorMessage}`).toBe('Finished');

    const mediaUrl = new URL(result.JobResult.MediaUrl);
    expect(mediaUrl.origin).toBe(setup.s3.endpoint);
    expect(mediaUrl.pathname).toBe('/media/dir/speech.wav');
    expect(mediaUrl.searchParams.get('X-Amz-Expires')).toBe('123');
    expect(mediaUrl.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);

    const stored = await setup.s3Client.send(new GetObjectCommand({ Bucket: 'media', Key: 'dir/speech.wav' }));
    const storedBytes = await stored.Body!.transformToByteArray();
    const downloaded = new Uint8Array(await (await fetch(mediaUrl)).arrayBuffer());
    expect(downloaded).toEqual(storedBytes);
    const audio = await decodeAudio(downloaded, 'wav');
    const timings = JSON.parse(result.JobResult.AiResult) as Array<{ end_time: number }>;
    expect(Math.abs(audio.durationMs - timings.at(-1)!.end_time)).toBeLessThanOrEqual(1);

    // (Not asserted: that an unsigned GET is refused. s3rver serves anonymous reads; real services refuse them.)

    const info = await setup.call('GetMediaInfo', { MediaId: submitted.MediaId });
    const file = info.MediaInfo.FileInfoList[0].FileBasicInfo;
    expect(info.MediaInfo.MediaBasicInfo.Source).toBe('s3');
    expect(Number(file.FileSize)).toBe(storedBytes.length);
    const fileUrl = new URL(file.FileUrl);
    expect(fileUrl.searchParams.get('X-Amz-Expires')).toBe('123');
    expect(new Uint8Array(await (await fetch(fileUrl)).arrayBuffer())).toEqual(storedBytes);
  });

  it('--presign-seconds changes X-Amz-Expires', async () => {
    const other = await s3Server({ url, buckets: ['media'], presignSeconds: 7200 });
    const submitted = await other.call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Siqi' }),
      InputConfig: '你好，世界。',
      OutputConfig: JSON.stringify({ bucket: 'media', object: 'x' }),
    });
    const result = await finished(other.call, submitted.JobId);
    expect(result.State).toBe('Finished');
    expect(new URL(result.JobResult.MediaUrl).searchParams.get('X-Amz-Expires')).toBe('7200');
    expect((await fetch(result.JobResult.MediaUrl)).status).toBe(200);
  });

  it('Overwrite=false on an existing S3 object fails the job with OutputObjectExists and leaves it alone', async () => {
    await setup.s3Client.send(new PutObjectCommand({ Bucket: 'keep', Key: 'mine.mp3', Body: 'precious', ContentType: 'audio/mpeg' }));
    const submitted = await setup.call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Siqi' }),
      InputConfig: '你好。',
      OutputConfig: JSON.stringify({ bucket: 'keep', object: 'mine' }),
      Overwrite: 'false',
    });
    const result = await finished(setup.call, submitted.JobId);
    expect(result.State).toBe('Failed');
    expect(result.ErrorCode).toBe('OutputObjectExists');
    expect(result.ErrorMessage).toContain('keep/mine.mp3');
    const kept = await setup.s3Client.send(new GetObjectCommand({ Bucket: 'keep', Key: 'mine.mp3' }));
    expect(await kept.Body!.transformToString()).toBe('precious');

    const replaced = await setup.call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Siqi' }),
      InputConfig: '你好。',
      OutputConfig: JSON.stringify({ bucket: 'keep', object: 'mine' }),
      Overwrite: 'true',
    });
    expect((await finished(setup.call, replaced.JobId)).State).toBe('Finished');
    const now = await setup.s3Client.send(new GetObjectCommand({ Bucket: 'keep', Key: 'mine.mp3' }));
    const audio = await decodeAudio(await now.Body!.transformToByteArray(), 'mp3');
    expect(audio.durationMs).toBeGreaterThan(300);
  });

  it('a bucket the object store does not have fails the job at once with OutputBucketNotFound, not after retries', async () => {
    const submitted = await setup.call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Siqi' }),
      InputConfig: '你好。',
      OutputConfig: JSON.stringify({ bucket: 'no-such-bucket', object: 'lost' }),
    });
    const result = await finished(setup.call, submitted.JobId);
    expect(result.State).toBe('Failed');
    expect(result.ErrorCode).toBe('OutputBucketNotFound');
    expect(result.ErrorMessage).toContain('no-such-bucket');
    const job = await setup.server.narrate.store.getJob(submitted.JobId as string);
    expect(job?.attempts).toBe(1);
  });

  it('/healthz and /readyz answer 200 when the database and the object store answer', async () => {
    const health = await fetch(`${setup.server.url}/healthz`);
    expect(health.status).toBe(200);
    const ready = await fetch(`${setup.server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', storage: 'ok', worker: 'ok', scratch: 'ok' } });
  });

  it('/readyz answers 503 while PostgreSQL is unreachable (and 200 again once it is back); /healthz stays 200', async () => {
    const pgUrl = new URL(url);
    const proxy = await startCuttableProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
    cleanups.push(() => proxy.cut().catch(() => undefined));
    const viaProxy = new URL(url);
    viaProxy.port = String(proxy.port);
    const api = await s3Server({ url, buckets: ['b'], databaseUrl: viaProxy.toString(), roles: { api: true, worker: false } });
    expect((await fetch(`${api.server.url}/readyz`)).status).toBe(200);

    await proxy.cut();
    const down = await fetch(`${api.server.url}/readyz`);
    expect(down.status).toBe(503);
    const body = (await down.json()) as { status: string; checks: Record<string, string> };
    expect(body.status).toBe('not ready');
    // Unauthenticated: it says which dependency is down, not where it lives or what its driver said.
    expect(body.checks.database).toBe('unavailable');
    expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|\d{4,5}/);
    expect(body.checks.storage).toBe('ok');
    expect((await fetch(`${api.server.url}/healthz`)).status).toBe(200);
    // A submit is refused with the gateway's 503, which clients retry, not a 500 InternalError.
    const refused = (await api
      .call('SubmitAudioProduceJob', { EditingConfig: JSON.stringify({ voice: 'Siqi' }), InputConfig: '你好。', OutputConfig: JSON.stringify({ bucket: 'b', object: 'down' }) })
      .catch((error: unknown) => error)) as { code?: string; data?: { Message?: string } };
    expect(refused.code).toBe('ServiceUnavailable');
    // It says what is down, not where it lives or what the driver said.
    expect(refused.data?.Message).toBe('The service is not available: the database cannot be reached.');

    await proxy.restore();
    await waitFor(async () => (await fetch(`${api.server.url}/readyz`)).status === 200, { what: 'readiness to come back' });
  });

  it('/readyz answers 503 while the object store is unreachable', async () => {
    const api = await s3Server({ url, buckets: ['b'], roles: { api: true, worker: false } });
    expect((await fetch(`${api.server.url}/readyz`)).status).toBe(200);
    await api.s3.close();
    const down = await fetch(`${api.server.url}/readyz`);
    expect(down.status).toBe(503);
    const body = (await down.json()) as { checks: Record<string, string> };
    expect(body.checks.database).toBe('ok');
    expect(body.checks.storage).toBe('unavailable');
  });
});
