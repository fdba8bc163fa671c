/**
 * Issue 7 on the ICE job path, against a real server on loopback driven by Alibaba's pop-core client:
 * subtitle sidecars and word timings, progress (polling and the SSE stream), Prometheus metrics and
 * request ids in logs.
 */
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { parseSync, type NodeCue } from 'subtitle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Narrate } from '../../src/app/narrate.js';
import { signedIceRequest } from '../../src/api/ice/ice.test-utils.js';
import { displayWidth } from '../../src/subtitles/subtitle-cues.models.js';
import { decodeAudio } from '../support/audio-analysis.js';
import { popCoreClient } from '../support/ice-clients.js';
import { startTestServer, TEST_KEY, waitFor, type TestServer } from '../support/narrate-server.js';
import { histogramCount, parseSse, sampleValue, scrapeMetrics } from './beyond.test-utils.js';

type Body = Record<string, any>;

const logLines: Array<Record<string, unknown>> = [];
let server: TestServer;
let narrate: Narrate;
let baseUrl: string;
let port: number;
let dataDir: string;
let call: (action: string, params: Record<string, string>) => Promise<Body>;

/** About 4,500 characters: long enough that a poll catches the job part-way. */
const LONG_TEXT = Array.from({ length: 60 }, (_, i) => `Paragraph ${i + 1} tells a small story about a river, a bridge and the people who cross it.`).join(' ');

beforeAll(async () => {
  // Logs are captured at the edge (the logger's output stream) so the test can read request ids.
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  server = await startTestServer({ logLevel: 'debug', callbackAllowPrivate: true }, { api: true, worker: true }, { logger: pino({ level: 'debug' }, sink) });
  narrate = server.narrate;
  dataDir = server.dataDir;
  baseUrl = server.url;
  port = server.port;
  const client = popCoreClient({ port, ...TEST_KEY });
  call = (action, params) => client.request(action, params, { method: 'POST' }) as Promise<Body>;
});
afterAll(async () => {
  await server?.stop();
});

async function finished(jobId: string): Promise<Body> {
  return waitFor(
    async () => {
      const body = await call('GetSmartHandleJob', { JobId: jobId });
      return body.State === 'Finished' || body.State === 'Failed' ? body : null;
    },
    { what: `job ${jobId} to finish`, timeoutMs: 60_000 },
  );
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

const cuesOf = (text: string) => parseSync(text).filter((node): node is NodeCue => node.type === 'cue');

describe('subtitles and word timings', () => {
  it('writes .srt, .vtt and .json beside the audio; cues parse, never overlap and end with the audio', async () => {
    // The first sentence has no punctuation to cut at and is far wider than one 42-column line.
    const text = '这是一个没有任何标点符号但是非常非常长的中文句子用来检验字幕按照显示宽度自动换行的功能是否正常工作。Buses and trains carry millions of people every day. 地铁很方便。';
    const submitted = await call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Xiaoyun', format: 'MP3', subtitles: ['srt', 'vtt', 'json'], word_timings: true }),
      InputConfig: text,
      OutputConfig: JSON.stringify({ bucket: 'subs', object: 'talks/city' }),
    });
    const job = await finished(submitted.JobId);
    expect(job.State).toBe('Finished');
    const sidecars = job.JobResult.Subtitles as Array<{ Format: string; Object: string; Url: string }>;
    expect(sidecars.map((s) => [s.Format, s.Object])).toEqual([
      ['srt', 'talks/city.srt'],
      ['vtt', 'talks/city.vtt'],
      ['json', 'talks/city.json'],
    ]);

    const audio = await decodeAudio(new Uint8Array(await download(job.JobResult.MediaUrl)), 'mp3');
    const srt = cuesOf((await download(sidecars[0]!.Url)).toString('utf8'));
    const vtt = cuesOf((await download(sidecars[1]!.Url)).toString('utf8'));
    const sentences = JSON.parse(job.JobResult.AiResult) as Array<{ text: string; begin_time: number; end_time: number; words?: unknown[] }>;
    const longSentence = sentences.find((s) => s.text.startsWith('这是一个'))!;
    // The long Chinese sentence does not fit one cue: it is split, each line at most 42 columns (CJK = 2).
    // (A cue may stay up into the next sentence's span: gaps under 0.5 s between cues are closed.)
    expect(srt.filter((c) => c.data.start >= longSentence.begin_time && c.data.start < longSentence.end_time).length).toBeGreaterThan(1);
    expect(vtt.map((c) => [c.data.start, c.data.end, c.data.text])).toEqual(srt.map((c) => [c.data.start, c.data.end, c.data.text]));
    for (let i = 0; i < srt.length; i++) {
      expect(srt[i]!.data.end).toBeGreaterThan(srt[i]!.data.start);
      if (i > 0) expect(srt[i]!.data.start).toBeGreaterThanOrEqual(srt[i - 1]!.data.end);
      for (const line of srt[i]!.data.text.split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(42);
    }
    // The first cue comes up with the first sound, a few ms after the audio starts.
    expect(srt[0]!.data.start).toBeGreaterThanOrEqual(sentences[0]!.begin_time);
    expect(srt[0]!.data.start).toBeLessThan(sentences[0]!.begin_time + 100);
    expect(Math.abs(srt.at(-1)!.data.end - audio.durationMs)).toBeLessThan(100);
    // Every character of every sentence is shown, in order, once.
    const squash = (value: string) => value.replace(/\s+/g, '');
    expect(squash(srt.map((c) => c.data.text).join(''))).toBe(squash(sentences.map((s) => s.text).join('')));

    // Word timings: in the JSON sidecar and (asked for with word_timings) in AiResult.
    const json = JSON.parse((await download(sidecars[2]!.Url)).toString('utf8')) as { duration_ms: number; sentences: Array<{ words: Array<{ text: string; begin_time: number; end_time: number }> }> };
    expect(Math.abs(json.duration_ms - audio.durationMs)).toBeLessThan(100);
    const englishIndex = sentences.findIndex((s) => s.text.startsWith('Buses'));
    const english = json.sentences[englishIndex]!.words;
    expect(english.map((w) => w.text)).toEqual(['Buses', 'and', 'trains', 'carry', 'millions', 'of', 'people', 'every', 'day.']);
    for (let i = 1; i < english.length; i++) expect(english[i]!.begin_time).toBeGreaterThanOrEqual(english[i - 1]!.begin_time);
    expect(english[0]!.begin_time).toBeGreaterThanOrEqual(sentences[englishIndex]!.begin_time);
    expect(english.at(-1)!.end_time).toBeLessThanOrEqual(sentences[englishIndex]!.end_time);
    expect(sentences[englishIndex]!.words).toEqual(english);
  });

  it('leaves words out of AiResult unless word_timings is asked for', async () => {
    const submitted = await call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Harry', format: 'WAV', subtitles: ['vtt'] }),
      InputConfig: 'One sentence here, long enough to stay on screen alone. And another one after it.',
      OutputConfig: JSON.stringify({ bucket: 'subs', object: 'plain' }),
    });
    const job = await finished(submitted.JobId);
    const sentences = JSON.parse(job.JobResult.AiResult) as Array<Record<string, unknown>>;
    expect(sentences.every((s) => !('words' in s))).toBe(true);
    expect(job.JobResult.Subtitles.map((s: { Object: string }) => s.Object)).toEqual(['plain.vtt']);
    // Each sentence is long enough to be its own cue.
    expect(cuesOf((await download(job.JobResult.Subtitles[0].Url)).toString('utf8')).length).toBe(sentences.length);
  });
});

describe('progress', () => {
  it('GetSmartHandleJob reports 0 < Progress < 100 while Executing, and the SSE stream follows the job', async () => {
    const submitted = await call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Harry', format: 'MP3' }),
      InputConfig: LONG_TEXT,
      OutputConfig: JSON.stringify({ bucket: 'progress', object: 'long' }),
    });
    const watch = signedIceRequest({ signature: 'v1', method: 'GET', action: 'WatchSmartJob', params: { JobId: submitted.JobId }, accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret });
    const events = fetch(`${baseUrl}/events${watch.url.replace(/^\//, '/job')}`).then(async (response) => {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      return parseSse(await response.text());
    });
    const seen: number[] = [];
    const job = await waitFor(
      async () => {
        const body = await call('GetSmartHandleJob', { JobId: submitted.JobId });
        if (body.State === 'Executing') seen.push(body.Progress as number);
        return body.State === 'Finished' || body.State === 'Failed' ? body : null;
      },
      { what: 'the long job to finish', intervalMs: 50, timeoutMs: 60_000 },
    );
    expect(job.State).toBe('Finished');
    expect(job.Progress).toBe(100);
    expect(seen.some((p) => p > 0 && p < 100)).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]!);

    const stream = (await events).map((e) => ({ event: e.event, ...(JSON.parse(e.data) as { JobId: string; State: string; Progress: number }) }));
    expect(stream.every((e) => e.event === 'state' && e.JobId === submitted.JobId)).toBe(true);
    expect(stream.at(-1)).toMatchObject({ State: 'Finished', Progress: 100 });
    expect(stream.some((e) => e.State === 'Executing' && e.Progress > 0 && e.Progress < 100)).toBe(true);
    const progress = stream.map((e) => e.Progress);
    for (let i = 1; i < progress.length; i++) expect(progress[i]).toBeGreaterThanOrEqual(progress[i - 1]!);
  });

  it('refuses an unsigned or badly signed watch', async () => {
    const submitted = await call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Harry' }),
      InputConfig: 'Short.',
      OutputConfig: JSON.stringify({ bucket: 'progress', object: 'short' }),
    });
    const unsigned = await fetch(`${baseUrl}/events/job?Action=WatchSmartJob&JobId=${submitted.JobId}`);
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    const wrong = signedIceRequest({ signature: 'v1', method: 'GET', action: 'WatchSmartJob', params: { JobId: submitted.JobId }, accessKeyId: TEST_KEY.id, accessKeySecret: 'wrong' });
    const refused = await fetch(`${baseUrl}/events${wrong.url.replace(/^\//, '/job')}`);
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(((await refused.json()) as Body).Code).toBeTruthy();
  });
});

describe('metrics and logs', () => {
  let receiver: Server;
  let calls = 0;
  beforeAll(async () => {
    receiver = createServer((request, response) => {
      calls += 1;
      request.resume();
      response.end('ok');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('/metrics parses as Prometheus text and its counters and histograms move when a job runs', async () => {
    const before = await scrapeMetrics(baseUrl);
    const notify = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
    const submitted = await call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Harry' }),
      InputConfig: 'Counting jobs is what metrics are for.',
      OutputConfig: JSON.stringify({ bucket: 'metrics', object: 'one' }),
      UserData: JSON.stringify({ NotifyAddress: notify }),
    });
    expect((await finished(submitted.JobId)).State).toBe('Finished');
    const after = await waitFor(
      async () => {
        const families = await scrapeMetrics(baseUrl);
        return sampleValue(families, 'narrate_callbacks_total', { outcome: 'delivered' }) > sampleValue(before, 'narrate_callbacks_total', { outcome: 'delivered' }) ? families : null;
      },
      { what: 'the callback to be counted' },
    );
    expect(calls).toBeGreaterThan(0);
    const moved = (name: string, labels: Record<string, string> = {}) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(moved('narrate_jobs_completed_total', { state: 'Finished' })).toBeGreaterThanOrEqual(1);
    expect(moved('narrate_jobs', { state: 'Finished' })).toBeGreaterThanOrEqual(1);
    for (const histogram of ['narrate_queue_wait_seconds', 'narrate_synthesis_seconds', 'narrate_real_time_factor']) {
      expect(histogramCount(after, histogram), histogram).toBeGreaterThan(histogramCount(before, histogram));
    }
    expect(sampleValue(after, 'narrate_queue_depth')).toBeGreaterThanOrEqual(0);
    // HTTP latency is labelled by route pattern (not raw URL), so the ICE endpoint is one series.
    expect(histogramCount(after, 'narrate_http_request_duration_seconds', { route: '/', method: 'POST', status: '200' })).toBeGreaterThan(
      histogramCount(before, 'narrate_http_request_duration_seconds', { route: '/', method: 'POST', status: '200' }),
    );
    expect(histogramCount(after, 'narrate_http_request_duration_seconds', { route: '/metrics' })).toBeGreaterThan(0);
    // Node's process metrics carry the one narrate_ prefix (prom-client's own names start with process_ or nodejs_).
    expect(sampleValue(after, 'narrate_process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(after, 'narrate_nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('request-scoped log lines carry the request id (x-request-id when the client sends one)', async () => {
    const response = await fetch(`${baseUrl}/?Action=GetSmartHandleJob&JobId=00000000000000000000000000000000`, { headers: { 'x-request-id': 'trace-abc-123' } });
    expect(response.status).toBeGreaterThanOrEqual(400);
    await waitFor(async () => logLines.some((line) => line.reqId === 'trace-abc-123'), { what: 'a log line with the request id' });
    const lines = logLines.filter((line) => line.reqId === 'trace-abc-123');
    expect(lines.some((line) => typeof line.msg === 'string' && line.msg.includes('refused'))).toBe(true);
    // Without a header every request still gets its own id.
    await fetch(`${baseUrl}/health`).catch(() => null);
    const ids = new Set(logLines.filter((line) => line.msg === 'request').map((line) => line.reqId));
    expect(ids.size).toBeGreaterThan(1);
  });
});
