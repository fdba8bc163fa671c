/**
 * Attacks an outsider or a low-privilege key holder can make on a running server, each of which
 * once worked: a secret reaching the request log, a key opening job event streams past its rate
 * limit, an internal error's text sent to an unauthenticated caller, a client-chosen request id of
 * any size copied into logs and responses, a request body that may take for ever to arrive.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIceRequest } from '../../src/api/ice/ice.test-utils.js';
import { createLogger } from '../../src/shared/logger.js';
import { startTestServer, TEST_KEY, type TestServer } from '../support/narrate-server.js';

const WATCHER = { id: 'watcher', secret: 'watcher-secret' };

let server: TestServer;
const logLines: string[] = [];

beforeAll(async () => {
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(String(chunk));
      callback();
    },
  });
  // Debug level: the per-request log line (method, url, status) is written at debug.
  server = await startTestServer({ logLevel: 'debug', rateLimit: 0.1, rateBurst: 3 }, { api: true, worker: false }, { logger: createLogger({ level: 'debug', destination }) });
  await server.narrate.store.putAccessKey({ id: WATCHER.id, secret: WATCHER.secret, allowedActions: ['ice:WatchSmartJob'], active: true, createdAt: new Date() });
});
afterAll(async () => {
  await server?.stop();
});

function signed(action: string, params: Record<string, string>, { key = TEST_KEY as { id: string; secret: string }, method = 'POST' as 'GET' | 'POST', signature = 'v3' as 'v1' | 'v3' } = {}) {
  return signedIceRequest({ signature, action, params, method, accessKeyId: key.id, accessKeySecret: key.secret, host: `127.0.0.1:${server.port}` });
}

async function call(action: string, params: Record<string, string>, options: Parameters<typeof signed>[2] = {}) {
  const request = signed(action, params, options);
  const response = await fetch(`${server.url}${request.url}`, { method: request.method, headers: request.headers, body: request.body });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

describe('secrets in the request log', () => {
  it('SetEventCallback with its AuthKey in a v1 GET query: the key never reaches the log', async () => {
    const authKey = 'AuthKeyThatMustNotBeLogged42';
    const { status } = await call('SetEventCallback', { CallbackURL: 'https://example.com/cb?token=CallbackTokenNotLogged', AuthSwitch: 'on', AuthKey: authKey }, { method: 'GET', signature: 'v1' });
    expect(status).toBe(200);
    // The request line is logged in onResponse, after the body went out.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const requestLine = logLines.find((line) => line.includes('SetEventCallback'));
    expect(requestLine).toBeDefined();
    expect(requestLine).toContain('AuthKey=***');
    expect(logLines.join('')).not.toContain(authKey);
    expect(logLines.join('')).not.toContain('CallbackTokenNotLogged');
  });
});

describe('job event streams', () => {
  it('each stream a key opens spends its rate budget, as every other request does', async () => {
    const submitted = await call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Siqi' }),
      InputConfig: '你好。',
      OutputConfig: JSON.stringify({ bucket: 'b', object: 'events-limit' }),
    });
    expect(submitted.status).toBe(200);
    const streams: AbortController[] = [];
    const statuses: number[] = [];
    const codes: string[] = [];
    try {
      // Burst 3, a token every ten seconds: six streams opened one after another cannot all be allowed.
      for (let i = 0; i < 6; i++) {
        const request = signed('WatchSmartJob', { JobId: submitted.body.JobId! }, { key: WATCHER, method: 'GET', signature: 'v1' });
        const abort = new AbortController();
        streams.push(abort);
        const response = await fetch(`${server.url}/events/job${request.url.slice(1)}`, { signal: abort.signal });
        statuses.push(response.status);
        if (response.status !== 200) codes.push(((await response.json()) as { Code: string }).Code);
      }
    } finally {
      for (const stream of streams) stream.abort();
    }
    expect(statuses.filter((status) => status === 200).length).toBeLessThan(6);
    expect(codes).toContain('Throttling.User');
  });
});

describe('request ids chosen by the client', () => {
  it('an id-shaped x-request-id is kept; anything else is replaced, not logged or echoed', async () => {
    const kept = await fetch(`${server.url}/v1/models`, { headers: { 'x-request-id': 'trace-abc-123' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-abc-123');

    const huge = 'R'.repeat(8000);
    const replaced = await fetch(`${server.url}/v1/models`, { headers: { 'x-request-id': huge } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(logLines.some((line) => line.includes(huge))).toBe(false);

    const forged = await fetch(`${server.url}/v1/models`, { headers: { 'x-request-id': '"} {"level":60' } });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('slow requests', () => {
  it('a request (headers and body) must arrive within a bounded time', () => {
    const http = server.narrate.app!.server;
    // 0 means "no limit": a client trickling a 1 MiB body a byte at a time would hold a socket for ever.
    expect(http.requestTimeout).toBeGreaterThan(0);
    expect(http.headersTimeout).toBeLessThanOrEqual(http.requestTimeout);
  });
});

// Last: it closes the store under the running server.
describe('internal errors outside the ICE and OpenAI endpoints', () => {
  it('/metrics with a failing store answers 500 without the driver message', async () => {
    await server.narrate.store.close();
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.' });
    expect(text).not.toMatch(/database|connection|sqlite/i);
    // A client error from Fastify itself still says what was wrong with the request.
    const bad = await fetch(`${server.url}/buckets/b/%ZZ`);
    expect(bad.status).toBe(400);
  });
});

describe('parameter floods', () => {
  it('a form body with thousands of parameters is refused before any of them is looked at', async () => {
    const body = Array.from({ length: 5000 }, (_, i) => `p${i}=${i}`).join('&');
    const response = await fetch(`${server.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as { Code: string; Message: string; RequestId: string };
    expect(answer.Code).toBe('InvalidParameter');
    expect(answer.Message).toContain('more than 200 parameters');
    expect(answer.RequestId).toBeTruthy();
  });
});

describe('job event stream limits', () => {
  let limited: TestServer;
  beforeAll(async () => {
    // No worker: the job stays Created, so its streams would otherwise stay open for ever.
    limited = await startTestServer({ eventStreamsPerKey: 2, eventStreamSeconds: 1 }, { api: true, worker: false });
  });
  afterAll(async () => {
    await limited?.stop();
  });

  const open = async (jobId: string, signal: AbortSignal) => {
    const request = signedIceRequest({ signature: 'v1', action: 'WatchSmartJob', params: { JobId: jobId }, method: 'GET', accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret, host: `127.0.0.1:${limited.port}` });
    return fetch(`${limited.url}/events/job${request.url.slice(1)}`, { signal });
  };

  it('one key holds at most --event-streams-per-key streams; each ends with a timeout event after --event-stream-seconds', async () => {
    const submit = signedIceRequest({
      signature: 'v3',
      action: 'SubmitAudioProduceJob',
      params: { EditingConfig: JSON.stringify({ voice: 'Siqi' }), InputConfig: '你好。', OutputConfig: JSON.stringify({ bucket: 'b', object: 'stream-limits' }) },
      accessKeyId: TEST_KEY.id,
      accessKeySecret: TEST_KEY.secret,
      host: `127.0.0.1:${limited.port}`,
    });
    const jobId = ((await (await fetch(`${limited.url}${submit.url}`, { method: submit.method, headers: submit.headers, body: submit.body })).json()) as { JobId: string }).JobId;
    const aborts = [new AbortController(), new AbortController(), new AbortController()];
    try {
      const first = await open(jobId, aborts[0]!.signal);
      const second = await open(jobId, aborts[1]!.signal);
      expect([first.status, second.status]).toEqual([200, 200]);
      const third = await open(jobId, aborts[2]!.signal);
      expect(third.status).toBe(400);
      const refusal = (await third.json()) as { Code: string; Message: string };
      expect(refusal.Code).toBe('Throttling.User');
      expect(refusal.Message).toContain('2 job event streams open');
      // The job never runs here; the stream still ends, saying why.
      const text = await first.text();
      expect(text).toContain('event: state');
      expect(text).toMatch(/event: timeout\ndata: \{"JobId":"[0-9a-f]{32}"\}\n\n$/);
      await second.text();
      // Both ended: the key may open streams again.
      const again = await open(jobId, aborts[2]!.signal);
      expect(again.status).toBe(200);
    } finally {
      for (const abort of aborts) abort.abort();
    }
  });
});

describe('/metrics with --metrics-token', () => {
  it('answers only a scrape that sends the token (without the option it is open: test/beyond scrapes it)', async () => {
    const guarded = await startTestServer({ metricsToken: 'scrape-token-123' }, { api: true, worker: false });
    try {
      const none = await fetch(`${guarded.url}/metrics`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      expect((await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
      const scraped = await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer scrape-token-123' } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain('narrate_jobs_completed_total');
    } finally {
      await guarded.stop();
    }
  });
});
