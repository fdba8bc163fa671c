/**
 * The OpenAI-compatible endpoint, driven by the official `openai` SDK against a real server on
 * loopback (real eSpeak NG engine, real encoders).
 */
import { describe, expect, it } from 'vitest';
import OpenAI, { AuthenticationError, BadRequestError, RateLimitError } from 'openai';
import { startTestServer, TEST_KEY, waitFor, type TestServer } from '../support/narrate-server.js';
import { decodeAudio, rms } from '../support/audio-analysis.js';
import { histogramCount, parseSse, readAll, sampleValue, scrapeMetrics, withOpenAiServer } from './beyond.test-utils.js';

const SHORT = 'Hello from Narrate. This is a short test of the speech endpoint.';
/** Many sentences, so the render takes many steps and the stream has many pieces. */
const LONG = Array.from({ length: 40 }, (_, i) => `This is sentence number ${i + 1} of a long text that streams while it is read.`).join(' ');

let server: TestServer;
let client: OpenAI;
withOpenAiServer((started, sdk) => {
  server = started;
  client = sdk;
});

async function speak(params: Partial<OpenAI.Audio.SpeechCreateParams> & { input: string }): Promise<Buffer> {
  const response = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', ...params });
  return Buffer.from(await response.arrayBuffer());
}

/** A streamed WAV carries 0xFFFFFFFF sizes; rewrite them to the real ones so the strict decoder accepts it. */
function withRealWavSizes(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  expect(copy.toString('ascii', 36, 40)).toBe('data');
  copy.writeUInt32LE(copy.length - 8, 4);
  copy.writeUInt32LE(copy.length - 44, 40);
  return copy;
}

describe('POST /v1/audio/speech through the openai SDK', () => {
  it('returns MP3 audio at 24 kHz that decodes to speech', async () => {
    const response = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: SHORT, response_format: 'mp3' });
    expect(response.headers.get('content-type')).toBe('audio/mpeg');
    const audio = await decodeAudio(new Uint8Array(await response.arrayBuffer()), 'mp3');
    expect(audio.sampleRate).toBe(24000);
    expect(audio.channels).toBe(1);
    expect(audio.durationMs).toBeGreaterThan(2000);
    expect(rms(audio.samples)).toBeGreaterThan(0.01);
  });

  it('returns WAV (24 kHz, 16-bit mono, streaming sizes) and PCM that is exactly its sample data', async () => {
    const wav = await speak({ input: SHORT, response_format: 'wav' });
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(4)).toBe(0xffffffff);
    const decoded = await decodeAudio(new Uint8Array(withRealWavSizes(wav)), 'wav');
    expect(decoded.sampleRate).toBe(24000);
    expect(decoded.channels).toBe(1);
    expect(wav.readUInt16LE(34)).toBe(16);

    // OpenAI's pcm: raw 24 kHz signed 16-bit little-endian mono, no header.
    const pcm = await speak({ input: SHORT, response_format: 'pcm' });
    expect(pcm.length % 2).toBe(0);
    // eSpeak is not deterministic (its noise and some pauses are random, ~100 ms either way), so two
    // renders of one text agree in length only roughly.
    expect(Math.abs(pcm.length - (wav.length - 44))).toBeLessThan(0.05 * pcm.length);
    const audio = await decodeAudio(new Uint8Array(pcm), 'pcm', 24000);
    expect(Math.abs(audio.durationMs - decoded.durationMs)).toBeLessThan(0.05 * decoded.durationMs);
    expect(rms(audio.samples)).toBeGreaterThan(0.01);
  });

  it('accepts instructions and ignores them', async () => {
    const plain = await speak({ input: SHORT, response_format: 'pcm', model: 'gpt-4o-mini-tts' });
    const directed = await speak({ input: SHORT, response_format: 'pcm', model: 'gpt-4o-mini-tts', instructions: 'Speak like a pirate, slowly.' });
    expect(Math.abs(directed.length - plain.length)).toBeLessThan(0.05 * plain.length);
  });

  it('speaks every OpenAI voice name and catalog names', async () => {
    for (const voice of ['alloy', 'echo', 'fable', 'onyx', 'nova', 'shimmer', 'Xiaoyun', 'Harry']) {
      const pcm = await speak({ input: voice === 'Xiaoyun' ? '你好，世界。' : 'Hello there.', voice, response_format: 'pcm' });
      expect(rms((await decodeAudio(new Uint8Array(pcm), 'pcm', 24000)).samples), voice).toBeGreaterThan(0.01);
    }
  });

  it('changes duration with speed over the whole 0.25–4 range (Rubber Band beyond the engine’s 0.5–2)', async () => {
    const seconds = async (speed: number) => (await speak({ input: SHORT, response_format: 'pcm', speed })).length / 2 / 24000;
    const [quarter, half, normal, double, quadruple] = [await seconds(0.25), await seconds(0.5), await seconds(1), await seconds(2), await seconds(4)];
    expect(half / normal).toBeGreaterThan(1.6);
    expect(normal / double).toBeGreaterThan(1.6);
    // Beyond the native range the time-stretch must still halve/double the duration.
    expect(quarter / half).toBeGreaterThan(1.8);
    expect(quarter / half).toBeLessThan(2.2);
    expect(double / quadruple).toBeGreaterThan(1.8);
    expect(double / quadruple).toBeLessThan(2.2);
  });

  it('streams: the first chunk arrives while the server is still synthesising, and more follows', async () => {
    const before = await scrapeMetrics(server.url);
    const response = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: LONG, response_format: 'pcm' }).asResponse();
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    const firstBytes = first.value!.length;
    // Observed on the server at the moment the client holds the first chunk: the render is still running.
    const during = await scrapeMetrics(server.url);
    expect(sampleValue(during, 'narrate_speech_streams_active')).toBe(1);
    let total = firstBytes;
    let chunks = 1;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      chunks += 1;
    }
    expect(chunks).toBeGreaterThan(5);
    expect(firstBytes).toBeLessThan(total / 10);
    const after = await scrapeMetrics(server.url);
    expect(sampleValue(after, 'narrate_speech_streams_active')).toBe(0);
    expect(sampleValue(after, 'narrate_speech_requests_total', { format: 'pcm', outcome: 'completed' })).toBeGreaterThan(
      sampleValue(before, 'narrate_speech_requests_total', { format: 'pcm', outcome: 'completed' }),
    );
    expect(histogramCount(after, 'narrate_speech_first_byte_seconds')).toBeGreaterThan(histogramCount(before, 'narrate_speech_first_byte_seconds'));
    const route = { route: '/v1/audio/speech', method: 'POST' };
    expect(histogramCount(after, 'narrate_http_request_duration_seconds', route)).toBeGreaterThan(histogramCount(before, 'narrate_http_request_duration_seconds', route));
  });

  it('stops synthesis when the client goes away', async () => {
    const before = sampleValue(await scrapeMetrics(server.url), 'narrate_speech_requests_total', { format: 'mp3', outcome: 'aborted' });
    const controller = new AbortController();
    const response = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: LONG, response_format: 'mp3' }, { signal: controller.signal }).asResponse();
    const reader = response.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    controller.abort();
    await reader.read().catch((error: unknown) => expect(error).toBeTruthy());
    const after = await waitFor(
      async () => {
        const families = await scrapeMetrics(server.url);
        return sampleValue(families, 'narrate_speech_requests_total', { format: 'mp3', outcome: 'aborted' }) > before ? families : null;
      },
      { what: 'the aborted stream to be counted', timeoutMs: 20_000 },
    );
    expect(sampleValue(after, 'narrate_speech_streams_active')).toBe(0);
  });

  it('streams server-sent events with stream_format "sse" whose deltas are the audio', async () => {
    const direct = await speak({ input: SHORT, voice: 'nova', response_format: 'pcm' });
    const response = await client.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: 'nova', input: SHORT, response_format: 'pcm', stream_format: 'sse' });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = parseSse((await readAll(response.body!)).toString('utf8')).map((e) => JSON.parse(e.data) as { type: string; audio?: string });
    expect(events.at(-1)?.type).toBe('speech.audio.done');
    const deltas = events.filter((e) => e.type === 'speech.audio.delta');
    expect(deltas.length).toBeGreaterThan(0);
    const audio = Buffer.concat(deltas.map((e) => Buffer.from(e.audio!, 'base64')));
    expect(Math.abs(audio.length - direct.length)).toBeLessThan(0.05 * direct.length);
    expect(rms((await decodeAudio(new Uint8Array(audio), 'pcm', 24000)).samples)).toBeGreaterThan(0.01);
  });

  it('accepts 10,000 characters of input and refuses 10,001', async () => {
    const sentence = 'Narrate reads this. ';
    const exactly = sentence.repeat(500).slice(0, 9999) + '.';
    expect(exactly.length).toBe(10_000);
    const controller = new AbortController();
    const response = await client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: exactly, response_format: 'pcm' }, { signal: controller.signal }).asResponse();
    expect(response.status).toBe(200);
    controller.abort();
    const error = await speak({ input: `${exactly}x` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).param).toBe('input');
    expect((error as BadRequestError).message).toContain('input has 10001 characters');
    expect((error as BadRequestError).message).not.toContain('InputConfig');
  });

  it('refuses SSML tags outside <speak> with the position, naming `input`, and speaks them inside one', async () => {
    const error = await speak({ input: 'Hello <break time="1s"/> world.' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).code).toBe('InvalidParameter.Ssml');
    expect((error as BadRequestError).param).toBe('input');
    expect((error as BadRequestError).message).toContain('The SSML in input is not valid at line 1, column 7: <break> is an SSML tag');
    const plain = await speak({ input: 'Hello world.', response_format: 'pcm' });
    const withBreak = await speak({ input: '<speak>Hello <break time="1s"/> world.</speak>', response_format: 'pcm' });
    // 24 kHz 16-bit mono: the second of silence is there.
    expect((withBreak.length - plain.length) / 48000).toBeGreaterThan(0.9);
  });
});

describe('authentication and errors in OpenAI’s shape', () => {
  // OpenAI answers an incorrect key with type invalid_request_error, code invalid_api_key, and a
  // missing one with the same type and no code (the SDK's AuthenticationError either way).
  it('refuses a bad token with 401 invalid_api_key, and a missing one with 401 and no code', async () => {
    const bad = new OpenAI({ apiKey: 'not-a-secret', baseURL: `${server.url}/v1`, maxRetries: 0 });
    const error = await bad.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).status).toBe(401);
    expect((error as AuthenticationError).type).toBe('invalid_request_error');
    expect((error as AuthenticationError).code).toBe('invalid_api_key');
    await expect(bad.models.list()).rejects.toBeInstanceOf(AuthenticationError);
    const noToken = await fetch(`${server.url}/v1/models`);
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: null } });
  });

  it('counts against the key\'s rate limit: past the burst, 429 rate_limit_error with Retry-After', async () => {
    const limited = await startTestServer({ rateLimit: 0.5, rateBurst: 2 });
    try {
      const limitedClient = new OpenAI({ apiKey: TEST_KEY.secret, baseURL: `${limited.url}/v1`, maxRetries: 0 });
      const create = () => limitedClient.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hi.', response_format: 'pcm' });
      for (let i = 0; i < 2; i++) expect((await (await create()).arrayBuffer()).byteLength).toBeGreaterThan(0);
      const refused = await create().catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(RateLimitError);
      expect((refused as RateLimitError).status).toBe(429);
      expect((refused as RateLimitError).code).toBe('rate_limit_exceeded');
      expect(Number((refused as RateLimitError).headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.stop();
    }
  });

  it('accepts "id:secret" as the token too', async () => {
    const idSecret = new OpenAI({ apiKey: `${TEST_KEY.id}:${TEST_KEY.secret}`, baseURL: `${server.url}/v1`, maxRetries: 0 });
    const models = await idSecret.models.list();
    expect(models.data.map((m) => m.id)).toContain('tts-1');
  });

  it('names the bad field: voice, speed, response_format, model', async () => {
    const cases: Array<[Partial<OpenAI.Audio.SpeechCreateParams>, string]> = [
      [{ voice: 'nobody-at-all' }, 'voice'],
      [{ speed: 4.5 }, 'speed'],
      [{ speed: 0.2 }, 'speed'],
      [{ response_format: 'aac' }, 'response_format'],
      [{ model: 'dall-e-3' }, 'model'],
    ];
    for (const [params, param] of cases) {
      const error = await speak({ input: 'hello', ...params }).catch((e: unknown) => e);
      expect(error, param).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).param).toBe(param);
      expect((error as BadRequestError).type).toBe('invalid_request_error');
    }
  });

  it('answers malformed JSON in the same shape', async () => {
    const response = await fetch(`${server.url}/v1/audio/speech`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_KEY.secret}`, 'content-type': 'application/json' },
      body: '{"model": ',
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).not.toBe('');
  });

  it('lists the usable models', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(expect.arrayContaining(['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts']));
  });
});

