/**
 * Access-key permissions on the OpenAI-compatible endpoint, against a real server on loopback:
 * keys are made with the real `narrate keys create --actions …` (a child process writing the
 * server's SQLite store) and driven with the official `openai` SDK. A valid key whose actions lack
 * narrate:CreateSpeech is a 403 naming it (the SDK's PermissionDeniedError), never the 401
 * "Incorrect API key" that a wrong or unknown key gets.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI, { AuthenticationError, PermissionDeniedError } from 'openai';
import { startTestServer, TEST_KEY, type TestServer } from '../support/narrate-server.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PERMISSION = 'narrate:CreateSpeech';

interface Key {
  id: string;
  secret: string;
}

let server: TestServer;
/** Made as the defect report made it: ICE actions only. */
let restricted: Key;
let speechOnly: Key;
/** `narrate keys create` without --actions: `*`. */
let everything: Key;

/** `narrate keys create [--actions LIST]` on the server's data directory, as an operator runs it. */
async function createKey(actions?: string): Promise<Key> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('NARRATE_')));
  const args = ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'narrate.ts'), 'keys', 'create', '--data-dir', server.dataDir];
  if (actions !== undefined) args.push('--actions', actions);
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, env });
  const id = /^AccessKeyId:\s+(\S+)$/m.exec(stdout)?.[1];
  const secret = /^AccessKeySecret:\s+(\S+)$/m.exec(stdout)?.[1];
  if (!id || !secret) throw new Error(`unexpected keys create output:\n${stdout}`);
  return { id, secret };
}

function clientFor(apiKey: string): OpenAI {
  return new OpenAI({ apiKey, baseURL: `${server.url}/v1`, maxRetries: 0 });
}

async function speak(apiKey: string): Promise<Buffer> {
  const response = await clientFor(apiKey).audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello.', response_format: 'pcm' });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

async function refusal(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => new Error('the request succeeded'),
    (error: unknown) => error,
  );
}

beforeAll(async () => {
  server = await startTestServer();
  [restricted, speechOnly, everything] = await Promise.all([
    createKey('ice:SubmitAudioProduceJob,ice:GetSmartHandleJob'),
    createKey(PERMISSION),
    createKey(),
  ]);
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe('a valid key without narrate:CreateSpeech', () => {
  it('is refused speech with 403 permission_error naming the permission (PermissionDeniedError in the SDK)', async () => {
    for (const token of [restricted.secret, `${restricted.id}:${restricted.secret}`]) {
      const error = await refusal(clientFor(token).audio.speech.create({ model: 'tts-1', voice: 'alloy', input: 'Hello.' }));
      expect(error, token).toBeInstanceOf(PermissionDeniedError);
      const denied = error as PermissionDeniedError;
      expect(denied.status).toBe(403);
      expect(denied.type).toBe('permission_error');
      expect(denied.code).toBe('insufficient_permissions');
      expect(denied.param).toBeNull();
      expect(denied.message).toContain(PERMISSION);
      expect(denied.message).not.toMatch(/incorrect api key/i);
    }
  });

  it('gets OpenAI’s error shape on the wire', async () => {
    const response = await fetch(`${server.url}/v1/audio/speech`, {
      method: 'POST',
      headers: { authorization: `Bearer ${restricted.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tts-1', voice: 'alloy', input: 'Hello.' }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      error: { message: expect.stringContaining(PERMISSION), type: 'permission_error', param: null, code: 'insufficient_permissions' },
    });
  });

  it('is refused /v1/models the same way', async () => {
    const error = await refusal(clientFor(restricted.secret).models.list());
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect((error as PermissionDeniedError).message).toContain(PERMISSION);
  });
});

describe('keys that may speak', () => {
  it('a key with narrate:CreateSpeech gets audio and the model list', async () => {
    expect((await speak(speechOnly.secret)).length).toBeGreaterThan(1000);
    expect((await speak(`${speechOnly.id}:${speechOnly.secret}`)).length).toBeGreaterThan(1000);
    const models = await clientFor(speechOnly.secret).models.list();
    expect(models.data.map((m) => m.id)).toContain('tts-1');
  });

  it('a `*` key (stored, and configured with --access-keys) gets audio', async () => {
    expect((await speak(everything.secret)).length).toBeGreaterThan(1000);
    expect((await speak(TEST_KEY.secret)).length).toBeGreaterThan(1000);
  });

  it('a narrow key sharing its secret with a broad one does not shadow it', async () => {
    await server.narrate.store.putAccessKey({ id: 'shared-narrow', secret: 'shared-secret', allowedActions: ['ice:GetSmartHandleJob'], active: true, createdAt: new Date() });
    await server.narrate.store.putAccessKey({ id: 'shared-broad', secret: 'shared-secret', allowedActions: [PERMISSION], active: true, createdAt: new Date() });
    expect((await speak('shared-secret')).length).toBeGreaterThan(1000);
    // Named by id, the narrow one is itself: valid, not permitted.
    expect(await refusal(speak('shared-narrow:shared-secret'))).toBeInstanceOf(PermissionDeniedError);
  });
});

describe('keys that are not valid stay 401 invalid_api_key', () => {
  async function expectUnauthorized(token: string) {
    for (const call of [() => speak(token), () => clientFor(token).models.list()]) {
      const error = await refusal(call());
      expect(error, token).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).status).toBe(401);
      // OpenAI's type for an incorrect key (the SDK's class comes from the status).
      expect((error as AuthenticationError).type).toBe('invalid_request_error');
      expect((error as AuthenticationError).code).toBe('invalid_api_key');
    }
  }

  it('a wrong secret, for a permitted key and for a restricted one', async () => {
    await expectUnauthorized(`${speechOnly.id}:wrong-secret`);
    await expectUnauthorized(`${restricted.id}:wrong-secret`);
    await expectUnauthorized('wrong-secret');
  });

  it('an unknown key id, and a disabled key that had the permission', async () => {
    await expectUnauthorized(`NRTnobodyNobodyNobody000:${speechOnly.secret}`);
    await server.narrate.store.putAccessKey({ id: 'disabled', secret: 'disabled-secret', allowedActions: [PERMISSION], active: false, createdAt: new Date() });
    await expectUnauthorized('disabled-secret');
    await expectUnauthorized('disabled:disabled-secret');
  });
});
