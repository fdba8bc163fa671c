import { describe, expect, it } from 'vitest';
import { isAppError } from '../../shared/errors.js';
import { authorize, createIceAuthenticator, parseIceTimestamp } from './ice.auth.js';
import { parseIceRequest } from './ice.request.js';
import { type SignedIceRequestArgs, createMemoryKeyStore, signedIceRequest, testAccessKey } from './ice.test-utils.js';

const T0 = new Date('2024-05-01T10:00:00Z');

function setup(options: { allowAnonymous?: boolean; now?: Date } = {}) {
  const keys = createMemoryKeyStore([
    testAccessKey(),
    testAccessKey({ id: 'off-key', secret: 'off-secret', active: false }),
    testAccessKey({ id: 'narrow', secret: 'narrow-secret', allowedActions: ['ice:GetSmartHandleJob'] }),
  ]);
  let now = options.now ?? T0;
  const authenticator = createIceAuthenticator({ keys, allowAnonymous: options.allowAnonymous ?? false, now: () => now });
  const run = (args: Partial<SignedIceRequestArgs>) => {
    const req = signedIceRequest({ signature: 'v1', action: 'Echo', now: T0, params: { Text: 'hi' }, ...args });
    return authenticator.authenticate(
      parseIceRequest({ method: req.method, url: req.url, headers: req.headers, rawBody: req.body === undefined ? undefined : Buffer.from(req.body) }),
    );
  };
  return { run, authenticator, setNow: (d: Date) => (now = d) };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isAppError(error)) return error.code;
    throw error;
  }
  return 'OK';
}

describe('createIceAuthenticator', () => {
  for (const signature of ['v1', 'v3'] as const) {
    for (const method of ['GET', 'POST'] as const) {
      for (const placement of ['query', 'body'] as const) {
        if (method === 'GET' && placement === 'body') continue;
        it(`accepts a good ${signature} ${method} request with parameters in the ${placement}`, async () => {
          const { run } = setup();
          await expect(run({ signature, method, placement, params: { InputConfig: '你好，世界！ *~+&=' } })).resolves.toEqual({
            keyId: 'test-key',
            allowedActions: ['*'],
          });
        });
      }
    }
  }

  it('refuses a wrong secret with SignatureDoesNotMatch and echoes the server string-to-sign without the secret', async () => {
    const { run } = setup();
    try {
      await run({ accessKeySecret: 'not-the-secret' });
      expect.unreachable();
    } catch (error) {
      if (!isAppError(error)) throw error;
      expect(error.code).toBe('SignatureDoesNotMatch');
      expect(error.httpStatus).toBe(400);
      expect(error.message).toContain('server string to sign is:POST&%2F&AccessKeyId%3Dtest-key');
      expect(error.message).not.toContain('test-secret');
    }
    expect(await codeOf(run({ signature: 'v3', accessKeySecret: 'nope' }))).toBe('SignatureDoesNotMatch');
  });

  it('refuses timestamps more than 15 minutes away either way, and malformed ones', async () => {
    const { run, setNow } = setup();
    setNow(new Date(T0.getTime() + 15 * 60_000));
    expect(await codeOf(run({}))).toBe('OK');
    setNow(new Date(T0.getTime() + 15 * 60_000 + 1000));
    expect(await codeOf(run({}))).toBe('InvalidTimeStamp.Expired');
    expect(await codeOf(run({ signature: 'v3' }))).toBe('InvalidTimeStamp.Expired');
    setNow(new Date(T0.getTime() - 16 * 60_000));
    expect(await codeOf(run({}))).toBe('InvalidTimeStamp.Expired');
  });

  it('accepts each nonce once per key', async () => {
    const { run } = setup();
    expect(await codeOf(run({ nonce: 'n-1' }))).toBe('OK');
    expect(await codeOf(run({ nonce: 'n-1' }))).toBe('SignatureNonceUsed');
    expect(await codeOf(run({ nonce: 'n-1', accessKeyId: 'narrow', accessKeySecret: 'narrow-secret' }))).toBe('OK');
    expect(await codeOf(run({ signature: 'v3', nonce: 'n-2' }))).toBe('OK');
    expect(await codeOf(run({ signature: 'v3', nonce: 'n-2' }))).toBe('SignatureNonceUsed');
  });

  it('does not spend a nonce on a request whose signature fails', async () => {
    const { run } = setup();
    expect(await codeOf(run({ nonce: 'n-3', accessKeySecret: 'bad' }))).toBe('SignatureDoesNotMatch');
    expect(await codeOf(run({ nonce: 'n-3' }))).toBe('OK');
  });

  it('tells unknown keys from inactive ones', async () => {
    const { run } = setup();
    expect(await codeOf(run({ accessKeyId: 'nobody' }))).toBe('InvalidAccessKeyId.NotFound');
    expect(await codeOf(run({ accessKeyId: 'off-key', accessKeySecret: 'off-secret' }))).toBe('InvalidAccessKeyId.Inactive');
    expect(await codeOf(run({ signature: 'v3', accessKeyId: 'nobody' }))).toBe('InvalidAccessKeyId.NotFound');
  });

  it('lets unsigned requests in as anonymous only when allowed', async () => {
    expect(await codeOf(setup().run({ signature: 'none' }))).toBe('MissingAccessKeyId');
    await expect(setup({ allowAnonymous: true }).run({ signature: 'none' })).resolves.toEqual({ keyId: 'anonymous', allowedActions: ['*'] });
  });

  it('refuses other signature methods and versions', async () => {
    const { authenticator } = setup();
    const base = '/?Action=A&AccessKeyId=test-key&Signature=x&SignatureNonce=n&Timestamp=2024-05-01T10%3A00%3A00Z';
    const auth = (q: string) => authenticator.authenticate(parseIceRequest({ method: 'GET', url: base + q, headers: {} }));
    expect(await codeOf(auth('&SignatureMethod=HMAC-SHA256&SignatureVersion=1.0'))).toBe('InvalidSignatureMethod');
    expect(await codeOf(auth('&SignatureMethod=Hmac-SHA1&SignatureVersion=2.0'))).toBe('IncompleteSignature');
    expect(await codeOf(auth('&SignatureMethod=hmac-sha1&SignatureVersion=1.0'))).toBe('SignatureDoesNotMatch');
  });

  it('V3: refuses a body that does not match x-acs-content-sha256, and a changed Host', async () => {
    const { authenticator } = setup();
    const req = signedIceRequest({ signature: 'v3', action: 'Echo', now: T0, placement: 'body', params: { Text: 'hi' } });
    const tampered = parseIceRequest({ method: 'POST', url: req.url, headers: req.headers, rawBody: Buffer.from('Text=ho') });
    expect(await codeOf(authenticator.authenticate(tampered))).toBe('IncompleteSignature');
    const otherHost = parseIceRequest({ method: 'POST', url: req.url, headers: { ...req.headers, host: 'other:80' }, rawBody: Buffer.from(req.body!) });
    expect(await codeOf(authenticator.authenticate(otherHost))).toBe('SignatureDoesNotMatch');
  });
});

describe('authorize', () => {
  it('allows *, ice:* and the exact ice:Action (case-insensitive) and refuses the rest with Forbidden.RAM', () => {
    expect(() => authorize({ action: 'Echo', allowedActions: ['*'] })).not.toThrow();
    expect(() => authorize({ action: 'Echo', allowedActions: ['ice:*'] })).not.toThrow();
    expect(() => authorize({ action: 'Echo', allowedActions: ['ICE:echo'] })).not.toThrow();
    try {
      authorize({ action: 'Echo', allowedActions: ['ice:GetSmartHandleJob'] });
      expect.unreachable();
    } catch (error) {
      if (!isAppError(error)) throw error;
      expect(error.code).toBe('Forbidden.RAM');
      expect(error.httpStatus).toBe(403);
    }
    expect(() => authorize({ action: 'Echo', allowedActions: [] })).toThrow();
  });

  it('treats GetSmartJobResult and GetSmartHandleJob as one action, whichever name the key lists', () => {
    expect(() => authorize({ action: 'GetSmartJobResult', allowedActions: ['ice:GetSmartHandleJob'] })).not.toThrow();
    expect(() => authorize({ action: 'GetSmartHandleJob', allowedActions: ['ice:getsmartjobresult'] })).not.toThrow();
    expect(() => authorize({ action: 'GetSmartJobResult', allowedActions: ['ice:SubmitAudioProduceJob'] })).toThrow();
  });
});

describe('parseIceTimestamp', () => {
  it('reads the ICE form, with or without fractions, and rejects the rest', () => {
    expect(parseIceTimestamp('2024-01-01T00:00:00Z')?.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(parseIceTimestamp('2024-01-01T00:00:00.250Z')?.toISOString()).toBe('2024-01-01T00:00:00.250Z');
    for (const bad of ['2024-02-30T00:00:00Z', '2024-01-01 00:00:00Z', '2024-01-01T00:00:00', '2024-01-01T24:00:00Z', '1704067200', '']) {
      expect(parseIceTimestamp(bad)).toBeNull();
    }
  });
});
