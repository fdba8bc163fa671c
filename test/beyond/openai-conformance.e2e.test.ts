/**
 * Where the OpenAI-compatible endpoint must behave as OpenAI's API does for code written against
 * it: the request shapes the official `openai` SDK can send (every SpeechModel, the newer built-in
 * voices, the custom-voice object, null for a default), the limits OpenAI enforces, and the error
 * responses (401s, unknown paths, wrong methods, unparsable bodies) in OpenAI's shape and status.
 * A real server on loopback (real eSpeak NG, real encoders) and the real SDK, as a user runs them.
 */
import { describe, expect, it } from 'vitest';
import OpenAI, { AuthenticationError, BadRequestError, NotFoundError } from 'openai';
import { TEST_KEY, type TestServer } from '../support/narrate-server.js';
import { decodeAudio, rms } from '../support/audio-analysis.js';
import { withOpenAiServer } from './beyond.test-utils.js';

let server: TestServer;
let client: OpenAI;
withOpenAiServer((started, sdk) => {
  server = started;
  client = sdk;
});

/** The SDK's params, loosened where the test sends what a JSON client may send (null, an object voice). */
type LooseParams = Omit<OpenAI.Audio.SpeechCreateParams, 'voice' | 'response_format'> & { voice?: unknown; response_format?: unknown };

async function create(params: Partial<LooseParams>) {
  return client.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello there.', response_format: 'pcm', ...params } as OpenAI.Audio.SpeechCreateParams);
}

/** Speaks through the SDK and checks that what came back is speech (24 kHz PCM, audible). */
async function expectSpeech(params: Partial<LooseParams>, label: string) {
  const response = await create(params);
  const pcm = new Uint8Array(await response.arrayBuffer());
  const audio = await decodeAudio(pcm, 'pcm', 24000);
  expect(audio.durationMs, label).toBeGreaterThan(300);
  expect(rms(audio.samples), label).toBeGreaterThan(0.01);
}

async function rejection(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => new Error('the request succeeded'),
    (error: unknown) => error,
  );
}

async function post(path: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers, body });
  return { status: response.status, headers: response.headers, body: (await response.json()) as unknown };
}

const bearer = { authorization: `Bearer ${TEST_KEY.secret}` };

describe('request shapes the openai SDK sends', () => {
  it('accepts every SpeechModel of the SDK (the dated gpt-4o-mini-tts snapshot too) and Kokoro-FastAPI’s "kokoro"', async () => {
    for (const model of ['gpt-4o-mini-tts-2025-12-15', 'kokoro'] satisfies OpenAI.Audio.SpeechModel[] | string[]) {
      await expectSpeech({ model }, model);
    }
  });

  it('lists those models, and retrieves one (404 model_not_found for a model it does not have)', async () => {
    const ids = (await client.models.list()).data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'gpt-4o-mini-tts-2025-12-15', 'kokoro']));
    const model = await client.models.retrieve('gpt-4o-mini-tts');
    expect(model).toMatchObject({ id: 'gpt-4o-mini-tts', object: 'model', owned_by: 'narrate' });
    expect(typeof model.created).toBe('number');
    const missing = await rejection(client.models.retrieve('gpt-9-tts'));
    expect(missing).toBeInstanceOf(NotFoundError);
    expect((missing as NotFoundError).type).toBe('invalid_request_error');
    expect((missing as NotFoundError).code).toBe('model_not_found');
    expect((missing as NotFoundError).param).toBe('model');
  });

  it('speaks OpenAI’s newer built-in voices (ash, ballad, coral, sage, verse, marin, cedar)', async () => {
    for (const voice of ['ash', 'ballad', 'coral', 'sage', 'verse', 'marin', 'cedar']) await expectSpeech({ voice }, voice);
  });

  it('takes the custom-voice object {"id": name} as the name, and names `voice` when that name is unknown', async () => {
    await expectSpeech({ voice: { id: 'nova' } }, '{id: nova}');
    const unknown = await rejection(create({ voice: { id: 'voice_1234' } }));
    expect(unknown).toBeInstanceOf(BadRequestError);
    expect((unknown as BadRequestError).param).toBe('voice');
  });

  it('treats response_format null as its default (mp3), as speed and stream_format already were', async () => {
    const response = await create({ response_format: null, speed: null as unknown as number, stream_format: null as unknown as 'audio' });
    expect(response.headers.get('content-type')).toBe('audio/mpeg');
    const audio = await decodeAudio(new Uint8Array(await response.arrayBuffer()), 'mp3');
    expect(audio.sampleRate).toBe(24000);
    expect(rms(audio.samples)).toBeGreaterThan(0.01);
  });

  it('accepts instructions up to OpenAI’s 4096 characters and refuses more, naming `instructions`', async () => {
    await expectSpeech({ model: 'gpt-4o-mini-tts', instructions: 'x'.repeat(4096) }, '4096 characters of instructions');
    const error = await rejection(create({ model: 'gpt-4o-mini-tts', instructions: 'x'.repeat(4097) }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).param).toBe('instructions');
    expect((error as BadRequestError).type).toBe('invalid_request_error');
  });
});

describe('authentication as OpenAI answers it', () => {
  it('an incorrect key: 401, type invalid_request_error, code invalid_api_key', async () => {
    const bad = new OpenAI({ apiKey: 'not-a-secret', baseURL: `${server.url}/v1`, maxRetries: 0 });
    for (const call of [() => bad.audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'hi' }), () => bad.models.list()]) {
      const error = await rejection(call());
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).type).toBe('invalid_request_error');
      expect((error as AuthenticationError).code).toBe('invalid_api_key');
    }
  });

  it('no key at all: 401 "You didn’t provide an API key", without a code', async () => {
    for (const headers of [{}, { authorization: 'Basic dXNlcjpwYXNz' }] as Array<Record<string, string>>) {
      const response = await fetch(`${server.url}/v1/models`, { headers });
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: { message: expect.stringContaining("You didn't provide an API key"), type: 'invalid_request_error', param: null, code: null },
      });
    }
  });

  it('checks the key before reading the body: bad JSON, an unsupported body type or an oversized body from an unknown caller is a 401', async () => {
    const cases: Array<[string, Record<string, string>]> = [
      ['{"model": ', { 'content-type': 'application/json' }],
      ['model=tts-1', { 'content-type': 'application/x-www-form-urlencoded' }],
      [JSON.stringify({ model: 'tts-1', voice: 'alloy', input: 'a'.repeat(1_100_000) }), { 'content-type': 'application/json' }],
    ];
    for (const [body, headers] of cases) {
      const anonymous = await post('/v1/audio/speech', body, headers);
      expect(anonymous.status, headers['content-type']).toBe(401);
      expect(anonymous.body).toMatchObject({ error: { type: 'invalid_request_error', code: null } });
      const wrongKey = await post('/v1/audio/speech', body, { ...headers, authorization: 'Bearer wrong' });
      expect(wrongKey.status, headers['content-type']).toBe(401);
      expect(wrongKey.body).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_api_key' } });
    }
  });
});

describe('request ids', () => {
  it('every response names its request in x-request-id, which the SDK exposes on results and on errors', async () => {
    const { request_id } = await client.models.list().withResponse();
    expect(request_id).toMatch(/\S/);
    const speech = await create({});
    expect(speech.headers.get('x-request-id')).toMatch(/\S/);
    await speech.arrayBuffer();
    const errors = [
      await rejection(create({ speed: 9 })),
      await rejection(new OpenAI({ apiKey: 'wrong', baseURL: `${server.url}/v1`, maxRetries: 0 }).models.list()),
      await rejection(client.models.retrieve('gpt-9-tts')),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as InstanceType<typeof OpenAI.APIError>).requestID, (error as Error).message).toMatch(/\S/);
    }
  });
});

describe('bad requests in OpenAI’s shape', () => {
  it('an unknown /v1 path is a 404 invalid_request_error (the SDK’s NotFoundError), not Fastify’s own body', async () => {
    const error = await rejection(client.chat.completions.create({ model: 'tts-1', messages: [{ role: 'user', content: 'hi' }] }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).type).toBe('invalid_request_error');
    expect((error as NotFoundError).message).toContain('POST /v1/chat/completions');
    for (const path of ['/v1/audio/speech/', '/v1/audio/translations', '/v1']) {
      const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { ...bearer, 'content-type': 'application/json' }, body: '{}' });
      expect(response.status, path).toBe(404);
      expect(await response.json(), path).toEqual({ error: { message: expect.stringContaining(path), type: 'invalid_request_error', param: null, code: 'unknown_url' } });
    }
  });

  it('a known path with the wrong method is a 405 with Allow', async () => {
    const cases: Array<[string, string, string]> = [
      ['GET', '/v1/audio/speech', 'POST'],
      ['DELETE', '/v1/audio/speech', 'POST'],
      ['POST', '/v1/models', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const response = await fetch(`${server.url}${path}`, { method, headers: bearer });
      expect(response.status, `${method} ${path}`).toBe(405);
      expect(response.headers.get('allow')).toBe(allow);
      expect(await response.json()).toEqual({ error: { message: `Invalid method for URL (${method} ${path})`, type: 'invalid_request_error', param: null, code: null } });
    }
  });

  it('an unparsable or non-object body is a 400 without Fastify’s internal codes', async () => {
    const json = { ...bearer, 'content-type': 'application/json' };
    const malformed = await post('/v1/audio/speech', '{"model": ', json);
    expect(malformed.status).toBe(400);
    expect(malformed.body).toEqual({ error: { message: expect.stringContaining('could not parse the JSON body'), type: 'invalid_request_error', param: null, code: null } });
    const unsupported = await post('/v1/audio/speech', 'model=tts-1', { ...bearer, 'content-type': 'application/x-www-form-urlencoded' });
    expect(unsupported.status).toBe(415);
    expect(unsupported.body).toMatchObject({ error: { type: 'invalid_request_error', param: null, code: null } });
    const array = await post('/v1/audio/speech', JSON.stringify([{ model: 'tts-1', voice: 'alloy', input: 'hi' }]), json);
    expect(array.status).toBe(400);
    expect(array.body).toMatchObject({ error: { message: 'The request body must be a JSON object.', type: 'invalid_request_error' } });
  });
});
