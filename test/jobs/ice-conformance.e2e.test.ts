/**
 * Wire details checked against the reference on a real server (api only: nothing needs rendering):
 * integer parameters are integers, every answer at `/` is in ICE's shape, and Format=XML is honoured
 * on every ICE-signed route.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedIceRequest } from '../../src/api/ice/ice.test-utils.js';
import { startTestServer, TEST_KEY, type TestServer } from '../support/narrate-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({}, { api: true, worker: false });
});
afterAll(async () => {
  await server?.stop();
});

async function send(action: string, params: Record<string, string>, { method = 'POST' as 'GET' | 'POST', format }: { method?: 'GET' | 'POST'; format?: string } = {}) {
  const request = signedIceRequest({ signature: 'v3', action, params, method, format, accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret, host: `127.0.0.1:${server.port}` });
  const response = await fetch(`${server.url}${request.url}`, { method: request.method, headers: request.headers, body: request.body });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const SUBMIT = {
  InputConfig: '你好。',
  OutputConfig: JSON.stringify({ bucket: 'b', object: 'conformance' }),
};

describe('integer parameters are decimal integers (reference §3.1, §1.2)', () => {
  // Number() reads all of these as numbers; none is an integer in the reference's sense, and
  // GetMediaInfo's AuthTimeout and the CLI already refuse them.
  const NOT_INTEGERS = ['0x10', '1e1', '5.0', ' 5', '5 ', '+5'];

  it.each(['PageSize', 'MaxResults', 'PageNo'])('ListSmartJobs refuses %s that is not written as a whole number, naming it', async (name) => {
    for (const bad of NOT_INTEGERS) {
      const { status, body } = await send('ListSmartJobs', { [name]: bad }, { method: 'GET' });
      expect({ bad, status, code: body.Code }).toEqual({ bad, status: 400, code: 'InvalidParameter' });
      expect(body.Message).toContain(name);
      expect(body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    }
    const { status, body } = await send('ListSmartJobs', { [name]: '5' }, { method: 'GET' });
    expect(status).toBe(200);
    expect(typeof body.MaxResults).toBe('string');
  });

  it('SubmitAudioProduceJob refuses EditingConfig numbers quoted in other notations, and takes quoted decimals', async () => {
    for (const bad of ['0x10', '1e1', '50.0', ' 50', '']) {
      const { status, body } = await send('SubmitAudioProduceJob', { ...SUBMIT, EditingConfig: JSON.stringify({ voice: 'Siqi', volume: bad }) });
      expect({ bad, status, code: body.Code }).toEqual({ bad, status: 400, code: 'InvalidParameter' });
      expect(body.Message).toContain('EditingConfig.volume');
    }
    const { status: rateStatus, body: rateBody } = await send('SubmitAudioProduceJob', { ...SUBMIT, EditingConfig: JSON.stringify({ voice: 'Siqi', speech_rate: '1e2' }) });
    expect(rateStatus).toBe(400);
    expect(rateBody.Message).toContain('EditingConfig.speech_rate');

    const ok = await send('SubmitAudioProduceJob', { ...SUBMIT, EditingConfig: JSON.stringify({ voice: 'Siqi', volume: '60', speech_rate: '-100', sample_rate: '24000' }) });
    expect(ok.status).toBe(200);
    const job = await send('GetSmartHandleJob', { JobId: ok.body.JobId });
    expect(JSON.parse(job.body.SmartJobInfo.EditingConfig)).toMatchObject({ volume: 60, speech_rate: -100, sample_rate: 24000 });
  });

  it('ReceiveCallbackMessages refuses MaxMessages and VisibilityTimeout that are not whole numbers', async () => {
    for (const [name, bad] of [['MaxMessages', '0x10'], ['VisibilityTimeout', '1e2'], ['MaxMessages', '2.0']]) {
      const { status, body } = await send('ReceiveCallbackMessages', { QueueName: 'ice-callback-conformance', [name!]: bad! });
      expect({ status, code: body.Code }).toEqual({ status: 400, code: 'InvalidParameter' });
      expect(body.Message).toContain(name);
    }
  });
});

describe('every answer at / is in the ICE shape (reference §6.1)', () => {
  it('OPTIONS is UnsupportedHTTPMethod with a RequestId, not a bare 404', async () => {
    const response = await fetch(`${server.url}/?Action=ListSmartJobs`, { method: 'OPTIONS' });
    const body = (await response.json()) as Record<string, string>;
    expect(response.status).toBe(400);
    expect(body.Code).toBe('UnsupportedHTTPMethod');
    expect(body.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(response.headers.get('x-acs-request-id')).toBe(body.RequestId);
  });
});

describe('Format=XML on the WatchSmartJob route (reference §7.6)', () => {
  it('refusals come back as XML <Error> when Format=XML was asked for', async () => {
    const request = signedIceRequest({ signature: 'v1', method: 'GET', action: 'WatchSmartJob', params: { JobId: '0'.repeat(32) }, format: 'XML', accessKeyId: TEST_KEY.id, accessKeySecret: TEST_KEY.secret });
    const response = await fetch(`${server.url}/events/job${request.url.slice(1)}`);
    const text = await response.text();
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/xml;charset=utf-8');
    expect(text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Error><RequestId>[0-9A-F-]{36}<\/RequestId>.*<Code>JobNotFound<\/Code>/);

    const unsigned = await fetch(`${server.url}/events/job?Action=WatchSmartJob&JobId=${'0'.repeat(32)}&Format=XML`);
    expect(unsigned.status).toBe(400);
    expect(await unsigned.text()).toContain('<Code>MissingAccessKeyId</Code>');
  });
});

describe('an unknown voice is refused naming where it came from', () => {
  it.each([
    ['EditingConfig.voice', { EditingConfig: JSON.stringify({ voice: 'Nobody' }) }, /^The voice "Nobody" is not known/],
    ['EditingConfig.customizedVoice', { EditingConfig: JSON.stringify({ voice: 'Siqi', customizedVoice: 'my-clone' }) }, /^The customizedVoice "my-clone" is not known/],
    ['the SSML', { EditingConfig: JSON.stringify({ voice: 'Siqi' }), InputConfig: '<speak voice="Nobody">你好。</speak>' }, /^The voice "Nobody" named in the SSML \(<speak voice>\) is not known/],
  ])('%s', async (_where, params, message) => {
    const { status, body } = await send('SubmitAudioProduceJob', { ...SUBMIT, ...params });
    expect({ status, code: body.Code }).toEqual({ status: 400, code: 'InvalidParameter.Voice' });
    expect(body.Message).toMatch(message);
  });
});
