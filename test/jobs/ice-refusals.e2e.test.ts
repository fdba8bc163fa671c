/**
 * Every refusal of the submit validation and every authentication failure, against the real server:
 * the answer is a clean 4xx in ICE's error shape, and nothing is queued.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIceRequest } from '../../src/api/ice/ice.test-utils.js';
import { popCoreClient } from '../support/ice-clients.js';
import { startTestServer, TEST_KEY, type TestServer } from '../support/narrate-server.js';

let server: TestServer;

beforeAll(async () => {
  // No worker: whatever got queued stays visible in the store.
  server = await startTestServer({}, { api: true, worker: false });
  await server.narrate.store.putAccessKey({ id: 'narrow', secret: 'narrow-secret', allowedActions: ['ice:GetSmartHandleJob'], active: true, createdAt: new Date() });
  await server.narrate.store.putAccessKey({ id: 'off', secret: 'off-secret', allowedActions: ['*'], active: false, createdAt: new Date() });
});
afterAll(async () => {
  await server?.stop();
});

async function send(params: Record<string, string>, { action = 'SubmitAudioProduceJob', key = TEST_KEY, now }: { action?: string; key?: { id: string; secret: string }; now?: Date } = {}) {
  const request = signedIceRequest({ signature: 'v3', action, params, accessKeyId: key.id, accessKeySecret: key.secret, host: `127.0.0.1:${server.port}`, now });
  const response = await fetch(`${server.url}${request.url}`, { method: request.method, headers: request.headers, body: request.body });
  return { status: response.status, body: (await response.json()) as Record<string, string>, headers: response.headers };
}

async function queuedJobs(): Promise<number> {
  const counts = await server.narrate.store.countJobsByState();
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

const GOOD = {
  EditingConfig: JSON.stringify({ voice: 'Siqi', format: 'MP3' }),
  InputConfig: '你好。',
  OutputConfig: JSON.stringify({ bucket: 'b', object: 'x' }),
};

const REFUSALS: Array<[string, Record<string, string | undefined>, number, string, RegExp]> = [
  ['missing EditingConfig', { EditingConfig: undefined }, 400, 'MissingEditingConfig', /EditingConfig is mandatory/],
  ['missing InputConfig', { InputConfig: undefined }, 400, 'MissingInputConfig', /InputConfig/],
  ['missing OutputConfig', { OutputConfig: undefined }, 400, 'MissingOutputConfig', /OutputConfig/],
  ['EditingConfig not JSON', { EditingConfig: '{voice:' }, 400, 'InvalidParameter', /EditingConfig/],
  ['EditingConfig an array', { EditingConfig: '[1]' }, 400, 'InvalidParameter', /EditingConfig/],
  ['OutputConfig not JSON', { OutputConfig: 'bucket=b' }, 400, 'InvalidParameter', /OutputConfig/],
  ['UserData not JSON', { UserData: 'hello' }, 400, 'InvalidParameter', /UserData/],
  ['volume out of range', { EditingConfig: JSON.stringify({ voice: 'Siqi', volume: 150 }) }, 400, 'InvalidParameter', /EditingConfig\.volume/],
  ['speech_rate out of range', { EditingConfig: JSON.stringify({ voice: 'Siqi', speech_rate: -501 }) }, 400, 'InvalidParameter', /speech_rate/],
  ['pitch_rate not a whole number', { EditingConfig: JSON.stringify({ voice: 'Siqi', pitch_rate: 1.5 }) }, 400, 'InvalidParameter', /pitch_rate/],
  ['sample_rate not offered', { EditingConfig: JSON.stringify({ voice: 'Siqi', sample_rate: 44100 }) }, 400, 'InvalidParameter', /sample_rate/],
  ['unknown format', { EditingConfig: JSON.stringify({ voice: 'Siqi', format: 'OGG' }) }, 400, 'InvalidParameter', /format/],
  ['unknown key in EditingConfig', { EditingConfig: JSON.stringify({ voice: 'Siqi', speechRate: 10 }) }, 400, 'InvalidParameter', /speechRate/],
  ['unknown voice', { EditingConfig: JSON.stringify({ voice: 'Nobody' }) }, 400, 'InvalidParameter.Voice', /Nobody/],
  ['text too long', { InputConfig: '长'.repeat(10_001) }, 400, 'InvalidParameter.TextTooLong', /10001/],
  ['empty text', { InputConfig: '   ' }, 400, 'InvalidParameter', /InputConfig/],
  ['Title over 128 bytes', { Title: '标'.repeat(43) }, 400, 'InvalidParameter', /Title/],
  ['Description over 1024 bytes', { Description: 'd'.repeat(1025) }, 400, 'InvalidParameter', /Description/],
  ['UserData over 512 bytes', { UserData: JSON.stringify({ x: 'u'.repeat(520) }) }, 400, 'InvalidParameter', /UserData/],
  ['NotifyAddress neither URL nor queue', { UserData: JSON.stringify({ NotifyAddress: 'ftp://x' }) }, 400, 'InvalidParameter', /NotifyAddress/],
  ['bucket with a slash', { OutputConfig: JSON.stringify({ bucket: 'a/b', object: 'x' }) }, 400, 'InvalidParameter', /OutputConfig\.bucket/],
  ['object escaping with ..', { OutputConfig: JSON.stringify({ bucket: 'b', object: '../../etc/passwd' }) }, 400, 'InvalidParameter', /OutputConfig\.object/],
  ['absolute object key', { OutputConfig: JSON.stringify({ bucket: 'b', object: '/abs/x' }) }, 400, 'InvalidParameter', /OutputConfig\.object/],
  ['object with NUL', { OutputConfig: JSON.stringify({ bucket: 'b', object: 'a\u0000b' }) }, 400, 'InvalidParameter', /OutputConfig\.object/],
  ['object with backslash', { OutputConfig: JSON.stringify({ bucket: 'b', object: 'a\\..\\b' }) }, 400, 'InvalidParameter', /OutputConfig\.object/],
  ['object key too long', { OutputConfig: JSON.stringify({ bucket: 'b', object: 'k'.repeat(1020) }) }, 400, 'InvalidParameter', /OutputConfig\.object/],
  ['malformed SSML', { InputConfig: '<speak>你好<break time="1s"></speak>' }, 400, 'InvalidParameter.Ssml', /line 1, column/],
  ['unknown SSML tag', { InputConfig: '<speak><blink>你好</blink></speak>' }, 400, 'InvalidParameter.Ssml', /blink/],
  ['Overwrite not boolean', { Overwrite: 'maybe' }, 400, 'InvalidParameter', /Overwrite/],
];

describe('submit refusals', () => {
  it.each(REFUSALS)('%s → %i %s', async (_name, change, status, code, message) => {
    const before = await queuedJobs();
    const params = Object.fromEntries(Object.entries({ ...GOOD, ...change }).filter(([, value]) => value !== undefined)) as Record<string, string>;
    const { status: got, body } = await send(params);
    expect(got).toBe(status);
    expect(body.Code).toBe(code);
    expect(body.Message).toMatch(message);
    expect(body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(body.HostId).toBeTruthy();
    expect(body.Recommend).toContain(`q=${code}`);
    expect(await queuedJobs()).toBe(before);
  });

  it('the same parameters, corrected, are accepted (the refusals are about the named field)', async () => {
    const { status, body } = await send(GOOD);
    expect(status).toBe(200);
    expect(body.JobId).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('authentication failures through pop-core', () => {
  const call = (key: { id: string; secret: string }, action = 'ListSmartJobs') => popCoreClient({ port: server.port, ...key }).request(action, {}, { method: 'POST' });

  it('wrong secret → SignatureDoesNotMatch, without the secret in the answer', async () => {
    const error = await call({ id: TEST_KEY.id, secret: 'wrong' }).catch((e: { code: string; message: string }) => e);
    expect(error).toMatchObject({ code: 'SignatureDoesNotMatch' });
    expect(String((error as Error).message)).not.toContain('wrong');
    expect(String((error as Error).message)).not.toContain(TEST_KEY.secret);
  });
  it('unknown key → InvalidAccessKeyId.NotFound', async () => {
    await expect(call({ id: 'nobody', secret: 'x' })).rejects.toMatchObject({ code: 'InvalidAccessKeyId.NotFound' });
  });
  it('inactive key → InvalidAccessKeyId.Inactive', async () => {
    await expect(call({ id: 'off', secret: 'off-secret' })).rejects.toMatchObject({ code: 'InvalidAccessKeyId.Inactive' });
  });
  it('action not allowed for the key → Forbidden.RAM, allowed action works', async () => {
    await expect(call({ id: 'narrow', secret: 'narrow-secret' }, 'SubmitAudioProduceJob')).rejects.toMatchObject({ code: 'Forbidden.RAM' });
    await expect(call({ id: 'narrow', secret: 'narrow-secret' }, 'GetSmartHandleJob')).rejects.toMatchObject({ code: 'MissingJobId' });
  });
  it('expired timestamp → InvalidTimeStamp.Expired', async () => {
    const { status, body } = await send({}, { action: 'ListSmartJobs', now: new Date(Date.now() - 16 * 60_000) });
    expect(status).toBe(400);
    expect(body.Code).toBe('InvalidTimeStamp.Expired');
  });
  it('a replayed request (same nonce) → SignatureNonceUsed', async () => {
    const request = signedIceRequest({ signature: 'v1', action: 'ListSmartJobs', method: 'GET', accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret, host: `127.0.0.1:${server.port}` });
    const first = await fetch(`${server.url}${request.url}`, { headers: request.headers });
    expect(first.status).toBe(200);
    const second = await fetch(`${server.url}${request.url}`, { headers: request.headers });
    expect(second.status).toBe(400);
    expect(((await second.json()) as { Code: string }).Code).toBe('SignatureNonceUsed');
  });
  it('a replayed submit → SignatureNonceUsed, and only the first one queued a job', async () => {
    // The submit records its nonce in the job's own transaction, so this is the path where a
    // replay must be caught by that transaction, including two copies racing each other.
    const request = signedIceRequest({ signature: 'v3', action: 'SubmitAudioProduceJob', params: GOOD, accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret, host: `127.0.0.1:${server.port}` });
    const post = () => fetch(`${server.url}${request.url}`, { method: request.method, headers: request.headers, body: request.body });
    const before = await queuedJobs();
    const first = await post();
    expect(first.status).toBe(200);
    const replay = await post();
    expect(replay.status).toBe(400);
    expect(((await replay.json()) as { Code: string }).Code).toBe('SignatureNonceUsed');
    expect(await queuedJobs()).toBe(before + 1);

    const racing = signedIceRequest({ signature: 'v3', action: 'SubmitAudioProduceJob', params: GOOD, accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret, host: `127.0.0.1:${server.port}` });
    const answers = await Promise.all(
      Array.from({ length: 4 }, () => fetch(`${server.url}${racing.url}`, { method: racing.method, headers: racing.headers, body: racing.body }).then(async (r) => ({ status: r.status, body: (await r.json()) as { Code?: string } }))),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 400).map((a) => a.body.Code)).toEqual(['SignatureNonceUsed', 'SignatureNonceUsed', 'SignatureNonceUsed']);
    expect(await queuedJobs()).toBe(before + 2);
  });
  it('unsigned → MissingAccessKeyId (no --allow-anonymous)', async () => {
    const response = await fetch(`${server.url}/?Action=ListSmartJobs`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { Code: string }).Code).toBe('MissingAccessKeyId');
  });
});

describe('random and malformed submissions (property)', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    fc.constantFrom('<speak>', '<speak><break time="x"/></speak>', '<speak voice="Siqi">你好</speak>', '&amp;', '<speak><prosody rate="9000%">a</prosody></speak>', '<speak><say-as interpret-as="date">2024-13-40</say-as></speak>'),
    fc.tuple(fc.constantFrom('<speak>', '<speak><s>', '<p>'), fc.string({ maxLength: 20 }), fc.constantFrom('</speak>', '</s></speak>', '', '</p>')).map((parts) => parts.join('')),
  );
  const json = fc.oneof(fc.json({ maxDepth: 2 }), fc.string({ maxLength: 30 }));
  const editing = fc.oneof(
    json,
    fc.record({
      voice: fc.oneof(fc.constantFrom('Siqi', 'harry', 'alloy', 'Xiaobei', 'nobody', ''), fc.string({ maxLength: 10 })),
      format: fc.constantFrom('MP3', 'wav', 'pcm', 'ogg', 3),
      volume: fc.oneof(fc.integer({ min: -10, max: 120 }), fc.double(), fc.string({ maxLength: 4 })),
      speech_rate: fc.integer({ min: -700, max: 700 }),
      pitch_rate: fc.oneof(fc.integer({ min: -700, max: 700 }), fc.constant(null)),
      sample_rate: fc.constantFrom(8000, 16000, 22050, 24000, 48000, '16000'),
    }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
  );
  const output = fc.oneof(
    json,
    fc.record({ bucket: fc.oneof(fc.constantFrom('b', 'my_bucket', 'a..b', 'UPPER', ''), fc.string({ maxLength: 8 })), object: fc.oneof(fc.constantFrom('x', 'a/b', '../x', '/x', 'a//b', 'a\\b', ''), fc.string({ maxLength: 12 })) }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
  );

  it('every answer is a 200 that queued a job, or a clean 4xx that queued nothing', async () => {
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ EditingConfig: editing, InputConfig: text, OutputConfig: output, Title: fc.string({ maxLength: 140 }), UserData: json, Overwrite: fc.constantFrom('true', 'false', 'yes', '') }, { requiredKeys: [] }),
          // Mostly-valid submissions with one or two fields perturbed, so both sides are exercised.
          fc.record({
            EditingConfig: fc.oneof(
              fc.record({ voice: fc.constantFrom('Siqi', 'harry', 'alloy', 'xiaobei'), format: fc.constantFrom('MP3', 'wav', 'PCM'), volume: fc.integer({ min: 0, max: 100 }), speech_rate: fc.integer({ min: -500, max: 500 }) }).map((v) => JSON.stringify(v)),
              editing,
            ),
            InputConfig: fc.oneof(fc.constantFrom('你好，世界。', 'Hello, world.', '<speak>今天<break time="200ms"/>下雨。</speak>', '<speak rate="100"><s>One.</s><s>Two!</s></speak>', '价格是¥12.50。'), text),
            OutputConfig: fc.oneof(fc.record({ bucket: fc.constantFrom('b', 'bucket-1'), object: fc.stringMatching(/^[a-z]{1,8}(\/[a-z0-9]{1,8}){0,2}$/) }).map((v) => JSON.stringify(v)), output),
            Title: fc.string({ maxLength: 40 }),
          }, { requiredKeys: ['EditingConfig', 'InputConfig', 'OutputConfig'] }),
        ),
        async (params) => {
          const before = await queuedJobs();
          const { status, body } = await send(params as Record<string, string>);
          const after = await queuedJobs();
          if (status === 200) {
            expect(body.JobId).toMatch(/^[0-9a-f]{32}$/);
            expect(after).toBe(before + 1);
            seen.accepted += 1;
          } else {
            seen.refused += 1;
            expect(status).toBeGreaterThanOrEqual(400);
            expect(status).toBeLessThan(500);
            expect(body.Code).toBeTruthy();
            expect(body.Message).toBeTruthy();
            expect(after).toBe(before);
          }
        },
      ),
      { numRuns: 1500 },
    );
    // The generators must reach both sides, or the property says little.
    expect(seen.accepted).toBeGreaterThan(20);
    expect(seen.refused).toBeGreaterThan(500);
  }, 180_000);
});
