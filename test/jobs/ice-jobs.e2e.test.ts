/**
 * Issue "Jobs": submit → poll → Finished → file on disk → timings that match the file, driven by
 * Alibaba's own clients against a real server on loopback.
 */
import { readFile, stat, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../support/audio-analysis.js';
import { openApiClient, popCoreClient } from '../support/ice-clients.js';
import { startTestServer, TEST_KEY, waitFor, type TestServer } from '../support/narrate-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

type Body = Record<string, any>;

async function finished(call: (action: string, params: Record<string, string>) => Promise<Body>, jobId: string, action = 'GetSmartHandleJob'): Promise<Body> {
  return waitFor(
    async () => {
      const body = await call(action, { JobId: jobId });
      return body.State === 'Finished' || body.State === 'Failed' ? body : null;
    },
    { what: `job ${jobId} to finish` },
  );
}

describe('SubmitAudioProduceJob through @alicloud/pop-core (signature v1)', () => {
  it('GET: Chinese MP3 lands in the bucket with timings that match its duration', async () => {
    const client = popCoreClient({ port: server.port, ...TEST_KEY });
    const call = (action: string, params: Record<string, string>) => client.request(action, params, { method: 'GET' }) as Promise<Body>;
    const text = '说起郭德纲，他现在可以说是红得发紫了。今天是2024年1月5日。';
    const submitted = await call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Siqi', format: 'MP3', volume: 50 }),
      InputConfig: text,
      OutputConfig: JSON.stringify({ bucket: 'b', object: 'dir/name' }),
      UserData: JSON.stringify({ trace: 'abc' }),
    });
    expect(submitted.JobId).toMatch(/^[0-9a-f]{32}$/);
    expect(submitted.MediaId).toMatch(/^[0-9a-f]{32}$/);
    expect(submitted.State).toBe('Created');
    expect(submitted.Code).toBeUndefined();
    expect(submitted.RequestId).toMatch(/^[0-9A-F-]{36}$/);

    const result = await finished(call, submitted.JobId);
    expect(result.State).toBe('Finished');
    expect(result.Output).toBe(submitted.MediaId);
    expect(result.UserData).toBe(JSON.stringify({ trace: 'abc' }));
    expect(result.SmartJobInfo.JobType).toBe('TextToSpeech');
    expect(result.SmartJobInfo.InputConfig.InputFile).toBe(text);
    expect(result.SmartJobInfo.OutputConfig).toEqual({ Bucket: 'b', Object: 'dir/name' });
    expect(result.SmartJobInfo.Title).toMatch(/^default_title_\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(result.SmartJobInfo.Title).toBe(`default_title_${result.SmartJobInfo.CreateTime}`);
    expect(JSON.parse(result.SmartJobInfo.EditingConfig)).toEqual({ format: 'MP3', pitch_rate: 0, sample_rate: 16000, speech_rate: 0, voice: 'Siqi', volume: 50 });
    expect(Object.keys(JSON.parse(result.SmartJobInfo.EditingConfig))).toEqual(['format', 'pitch_rate', 'sample_rate', 'speech_rate', 'voice', 'volume']);
    expect(result.JobResult.MediaId).toBe(submitted.MediaId);

    const file = path.join(server.dataDir, 'buckets', 'b', 'dir', 'name.mp3');
    const bytes = new Uint8Array(await readFile(file));
    const audio = await decodeAudio(bytes, 'mp3');
    expect(audio.sampleRate).toBe(16000);
    expect(audio.channels).toBe(1);

    const timings = JSON.parse(result.JobResult.AiResult) as Array<{ text: string; begin_time: number; end_time: number; content: string; from: number; to: number }>;
    expect(timings.map((t) => t.text)).toEqual(['说起郭德纲，', '他现在可以说是红得发紫了。', '今天是2024年1月5日。']);
    expect(timings[0]!.begin_time).toBe(0);
    for (let i = 1; i < timings.length; i++) expect(timings[i]!.begin_time).toBe(timings[i - 1]!.end_time);
    for (const t of timings) {
      expect(t.end_time).toBeGreaterThan(t.begin_time);
      expect(t.content).toBe(t.text);
      expect(t.from).toBeCloseTo(t.begin_time / 1000, 3);
      expect(t.to).toBeCloseTo(t.end_time / 1000, 3);
    }
    // MP3 adds encoder delay and frame padding (at most a couple of 576-sample frames at 16 kHz).
    expect(Math.abs(audio.durationMs - timings.at(-1)!.end_time)).toBeLessThan(150);

    // The MediaUrl is served by Narrate, signed, with byte ranges.
    const media = await fetch(result.JobResult.MediaUrl);
    expect(media.status).toBe(200);
    expect(new Uint8Array(await media.arrayBuffer())).toEqual(bytes);
    const ranged = await fetch(result.JobResult.MediaUrl, { headers: { range: 'bytes=0-99' } });
    expect(ranged.status).toBe(206);
    expect((await ranged.arrayBuffer()).byteLength).toBe(100);
    const unsigned = await fetch(result.JobResult.MediaUrl.split('?')[0]);
    expect(unsigned.status).toBe(403);

    const info = await call('GetMediaInfo', { MediaId: submitted.MediaId });
    const fileInfo = info.MediaInfo.FileInfoList[0].FileBasicInfo;
    expect(Number(fileInfo.FileSize)).toBe((await stat(file)).size);
    expect(Number(fileInfo.Duration) * 1000).toBeCloseTo(timings.at(-1)!.end_time, -1);
    expect(fileInfo.FormatName).toBe('mp3');
    expect(info.MediaInfo.MediaBasicInfo.Status).toBe('Normal');
  });

  it('POST with a form body: English WAV at 24 kHz through the GetSmartJobResult alias', async () => {
    const client = popCoreClient({ port: server.port, ...TEST_KEY });
    const call = (action: string, params: Record<string, string>) => client.request(action, params, { method: 'POST' }) as Promise<Body>;
    const submitted = await call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'harry', format: 'wav', sample_rate: 24000 }),
      InputConfig: 'Speaking of Guo Degang, he is extremely popular now. It costs $3.99!',
      OutputConfig: JSON.stringify({ bucket: 'b', object: 'english' }),
      Title: 'english test',
    });
    const result = await finished(call, submitted.JobId, 'GetSmartJobResult');
    expect(result.State).toBe('Finished');
    expect(result.SmartJobInfo.Title).toBe('english test');
    expect(JSON.parse(result.SmartJobInfo.EditingConfig).voice).toBe('Harry');
    const audio = await decodeAudio(new Uint8Array(await readFile(path.join(server.dataDir, 'buckets', 'b', 'english.wav'))), 'wav');
    expect(audio.sampleRate).toBe(24000);
    const timings = JSON.parse(result.JobResult.AiResult);
    expect(timings.map((t: { text: string }) => t.text)).toEqual(['Speaking of Guo Degang,', 'he is extremely popular now.', 'It costs $3.99!']);
    // WAV is exact: the last sentence ends where the samples end.
    expect(Math.abs(audio.durationMs - timings.at(-1).end_time)).toBeLessThanOrEqual(1);
  });

  it('answers XML when Format=XML', async () => {
    const client = popCoreClient({ port: server.port, ...TEST_KEY });
    // pop-core parses JSON only, so read the raw answer with a plain signed GET instead.
    const { signedIceRequest } = await import('../../src/api/ice/ice.test-utils.js');
    const request = signedIceRequest({ signature: 'v1', action: 'ListSmartJobs', method: 'GET', params: { PageSize: '1' }, format: 'XML', accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret, host: `127.0.0.1:${server.port}` });
    void client;
    const response = await fetch(`${server.url}${request.url}`, { headers: request.headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/xml/);
    const text = await response.text();
    expect(text).toMatch(/^<\?xml[^>]*>\s*<ListSmartJobsResponse>/);
    expect(text).toContain('<RequestId>');
  });
});

describe('through @alicloud/openapi-client (signature V3)', () => {
  it('submits, polls and lists', async () => {
    const client = openApiClient({ port: server.port, ...TEST_KEY });
    const submitted = await client.call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Xiaoyun', format: 'PCM', sample_rate: 8000, speech_rate: 200 }),
      InputConfig: '<speak>你好，<break time="500ms"/>世界！</speak>',
      OutputConfig: JSON.stringify({ bucket: 'v3', object: 'pcm/out' }),
    });
    const result = await finished((action, params) => client.call(action, params), submitted.JobId as string);
    expect(result.State).toBe('Finished');
    const audio = await decodeAudio(new Uint8Array(await readFile(path.join(server.dataDir, 'buckets', 'v3', 'pcm', 'out.pcm'))), 'pcm', 8000);
    const timings = JSON.parse(result.JobResult.AiResult);
    expect(Math.abs(audio.durationMs - timings.at(-1).end_time)).toBeLessThanOrEqual(1);

    const listed = await client.call('ListSmartJobs', { PageSize: '100', JobState: 'Finished' });
    const ids = (listed.SmartJobList as Body[]).map((job) => job.JobId);
    expect(ids).toContain(submitted.JobId);
    expect(Number(listed.TotalCount)).toBeGreaterThanOrEqual(1);

    // A list with an id that names no job deletes nothing: 404 JobNotFound naming that id.
    const unknown = 'f'.repeat(32);
    await expect(client.call('DeleteSmartJob', { JobId: `${submitted.JobId as string},${unknown}` })).rejects.toMatchObject({ code: 'JobNotFound', statusCode: 404 });
    expect((await client.call('GetSmartHandleJob', { JobId: submitted.JobId as string })).State).toBe('Finished');
    await expect(client.call('DeleteSmartJob', { JobId: 'zzz' })).rejects.toMatchObject({ code: 'InvalidParameter', statusCode: 400 });

    await client.call('DeleteSmartJob', { JobId: ` ${submitted.JobId as string} ` });
    await expect(client.call('GetSmartHandleJob', { JobId: submitted.JobId as string })).rejects.toMatchObject({ code: 'JobNotFound', statusCode: 404 });
    // Deleted means gone: deleting it again is JobNotFound too.
    await expect(client.call('DeleteSmartJob', { JobId: submitted.JobId as string })).rejects.toMatchObject({ code: 'JobNotFound', statusCode: 404 });
  });
});

describe('Overwrite', () => {
  it('false with an existing object fails the job with OutputObjectExists and leaves the object alone', async () => {
    const client = popCoreClient({ port: server.port, ...TEST_KEY });
    const call = (action: string, params: Record<string, string>) => client.request(action, params, { method: 'POST' }) as Promise<Body>;
    const existing = path.join(server.dataDir, 'buckets', 'keep', 'mine.mp3');
    await mkdir(path.dirname(existing), { recursive: true });
    await writeFile(existing, 'precious');
    const submitted = await call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Siqi' }),
      InputConfig: '你好。',
      OutputConfig: JSON.stringify({ bucket: 'keep', object: 'mine' }),
      Overwrite: 'false',
    });
    const result = await finished(call, submitted.JobId);
    expect(result.State).toBe('Failed');
    expect(result.ErrorCode).toBe('OutputObjectExists');
    expect(result.ErrorMessage).toContain('keep/mine.mp3');
    expect(await readFile(existing, 'utf8')).toBe('precious');
    // The media asset of a failed job never became a file.
    const failedMedia = await call('GetMediaInfo', { MediaId: submitted.MediaId });
    expect(failedMedia.MediaInfo.MediaBasicInfo.Status).toBe('PrepareFail');
    expect(failedMedia.MediaInfo.FileInfoList).toEqual([]);

    const replaced = await call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Siqi' }),
      InputConfig: '你好。',
      OutputConfig: JSON.stringify({ bucket: 'keep', object: 'mine' }),
      Overwrite: 'true',
    });
    expect((await finished(call, replaced.JobId)).State).toBe('Finished');
    const audio = await decodeAudio(new Uint8Array(await readFile(existing)), 'mp3');
    expect(audio.durationMs).toBeGreaterThan(300);
  });
});

describe('GetMediaInfo', () => {
  it('knows the MediaId from the moment Submit returns it: Init while queued, no file yet', async () => {
    // An api without a worker: the job stays Created.
    const apiOnly = await startTestServer({}, { api: true, worker: false });
    try {
      const client = popCoreClient({ port: apiOnly.port, ...TEST_KEY });
      const call = (action: string, params: Record<string, string>) => client.request(action, params, { method: 'POST' }) as Promise<Body>;
      const submitted = await call('SubmitAudioProduceJob', {
        EditingConfig: JSON.stringify({ voice: 'Siqi' }),
        InputConfig: '你好。',
        OutputConfig: JSON.stringify({ bucket: 'b', object: 'queued' }),
        Title: 'queued',
      });
      const info = await call('GetMediaInfo', { MediaId: submitted.MediaId });
      expect(info.MediaInfo.MediaId).toBe(submitted.MediaId);
      expect(info.MediaInfo.MediaBasicInfo).toMatchObject({ MediaId: submitted.MediaId, Status: 'Init', Title: 'queued', MediaType: 'audio', InputURL: '' });
      expect(info.MediaInfo.FileInfoList).toEqual([]);
      const unknown = await call('GetMediaInfo', { MediaId: 'f'.repeat(32) }).catch((error: { code?: string }) => error);
      expect(unknown).toMatchObject({ code: 'MediaNotFound' });
    } finally {
      await apiOnly.stop();
    }
  });

  it('AuthTimeout sets the lifetime of the signed file URL; a bad one is refused naming it', async () => {
    const client = popCoreClient({ port: server.port, ...TEST_KEY });
    const call = (action: string, params: Record<string, string>) => client.request(action, params, { method: 'POST' }) as Promise<Body>;
    const submitted = await call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Harry', format: 'WAV' }),
      InputConfig: 'Hello there.',
      OutputConfig: JSON.stringify({ bucket: 'b', object: 'lifetime' }),
    });
    expect((await finished(call, submitted.JobId)).State).toBe('Finished');
    const expiresOf = (url: string) => Number(new URL(url).searchParams.get('Expires')) - Date.now() / 1000;
    const short = await call('GetMediaInfo', { MediaId: submitted.MediaId, AuthTimeout: '60' });
    const url = short.MediaInfo.FileInfoList[0].FileBasicInfo.FileUrl as string;
    expect(short.MediaInfo.MediaBasicInfo.Status).toBe('Normal');
    expect(expiresOf(url)).toBeGreaterThan(50);
    expect(expiresOf(url)).toBeLessThanOrEqual(61);
    expect((await fetch(url)).status).toBe(200);
    // Without it, the server's own lifetime (an hour by default).
    const standard = await call('GetMediaInfo', { MediaId: submitted.MediaId });
    expect(expiresOf(standard.MediaInfo.FileInfoList[0].FileBasicInfo.FileUrl)).toBeGreaterThan(3500);
    // The same media by InputURL (when MediaId is empty): ICE's oss:// form and the MediaUrl itself.
    for (const inputUrl of ['oss://b/lifetime.wav', url]) {
      const byUrl = await call('GetMediaInfo', { InputURL: inputUrl });
      expect(byUrl.MediaInfo.MediaId, inputUrl).toBe(submitted.MediaId);
      expect(byUrl.MediaInfo.FileInfoList[0].FileBasicInfo.FileName).toBe('lifetime.wav');
    }
    await expect(call('GetMediaInfo', { InputURL: 'oss://b/never-written.wav' })).rejects.toMatchObject({ code: 'MediaNotFound' });
    // The same object name written again, as MP3: each file still finds its own job.
    const asMp3 = await call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Harry', format: 'MP3' }),
      InputConfig: 'Hello again.',
      OutputConfig: JSON.stringify({ bucket: 'b', object: 'lifetime' }),
    });
    expect((await finished(call, asMp3.JobId)).State).toBe('Finished');
    expect((await call('GetMediaInfo', { InputURL: 'oss://b/lifetime.mp3' })).MediaInfo.MediaId).toBe(asMp3.MediaId);
    expect((await call('GetMediaInfo', { InputURL: 'oss://b/lifetime.wav' })).MediaInfo.MediaId).toBe(submitted.MediaId);
    await expect(call('GetMediaInfo', { InputURL: 'https://example.com/page' })).rejects.toMatchObject({ code: 'InvalidParameter' });
    await expect(call('GetMediaInfo', {})).rejects.toMatchObject({ code: 'MissingMediaId' });
    for (const bad of ['0', '-5', '1.5', 'soon', String(8 * 24 * 3600), '0x10', '1e3', ' 60', '+60']) {
      const refused = await call('GetMediaInfo', { MediaId: submitted.MediaId, AuthTimeout: bad }).catch((error: { code?: string; message?: string }) => error);
      expect(refused, bad).toMatchObject({ code: 'InvalidParameter' });
      expect((refused as { message: string }).message, bad).toContain('AuthTimeout');
    }
  });
});
