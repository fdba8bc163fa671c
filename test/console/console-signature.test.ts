/**
 * The console signs requests in the browser; its signatures must equal the SDKs' (reference §7.4
 * vectors) and the server's verifier, with WebCrypto and with the plain fallback alike.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { signV1 as serverSignV1 } from '../../src/api/ice/signature-v1.js';
import { percentEncode, signV1, signedParams, stringToSignV1 } from '../../console/src/api/signature.js';
import { V1_DESCRIBE_DEDICATED_HOSTS, V1_DESCRIBE_REGIONS, V1_ICE } from '../support/signature-v1-vectors.js';

const VECTOR_1 = V1_DESCRIBE_REGIONS.params;
const VECTOR_2 = V1_DESCRIBE_DEDICATED_HOSTS.params;
const ICE_VECTOR = V1_ICE.params;

describe.each([
  { name: 'WebCrypto', useWebCrypto: true },
  { name: 'plain HMAC-SHA1 fallback', useWebCrypto: false },
])('console signature v1 with $name', ({ useWebCrypto }) => {
  it('matches the reference vectors', async () => {
    expect(stringToSignV1({ params: VECTOR_1, method: 'GET' })).toBe(
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    expect(await signV1({ params: VECTOR_1, method: 'GET', secret: 'testsecret', useWebCrypto })).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    expect(await signV1({ params: VECTOR_2, method: 'GET', secret: 'testsecret', useWebCrypto })).toBe('9NaGiOspFP5UPcwX8Iwt2YJXXuk=');
    expect(await signV1({ params: ICE_VECTOR, method: 'POST', secret: 'testsecret', useWebCrypto })).toBe('OxM6Cc3pmaqUiO8XPNyGzSz1oh0=');
    expect(await signV1({ params: ICE_VECTOR, method: 'GET', secret: 'testsecret', useWebCrypto })).toBe('fEOuHoIpZqITqtYoYgA7nCmj74Q=');
  });

  it('agrees with the server verifier on arbitrary parameters, secrets and methods', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 40, unit: 'binary' }), { maxKeys: 6 }),
        fc.string({ maxLength: 100, unit: 'grapheme' }),
        fc.constantFrom('GET', 'POST'),
        async (params, secret, method) => {
          const ours = await signV1({ params, method, secret, useWebCrypto });
          expect(ours).toBe(serverSignV1({ params, method, secret }).signature);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('console signed parameters', () => {
  it('adds the v1 common parameters and a signature the server accepts', async () => {
    const now = new Date('2024-05-06T07:08:09.123Z');
    const signed = await signedParams({ params: { Action: 'ListSmartJobs', PageNo: '1' }, method: 'GET', key: { id: 'testid', secret: 'testsecret' }, now, nonce: 'n-1' });
    expect(signed).toMatchObject({ Format: 'JSON', Version: '2020-11-09', AccessKeyId: 'testid', SignatureMethod: 'HMAC-SHA1', SignatureVersion: '1.0', SignatureNonce: 'n-1', Timestamp: '2024-05-06T07:08:09Z' });
    expect(signed.Signature).toBe(serverSignV1({ params: signed, method: 'GET', secret: 'testsecret' }).signature);
  });

  it('gives each request a fresh nonce', async () => {
    const key = { id: 'a', secret: 'b' };
    const one = await signedParams({ params: { Action: 'X' }, method: 'GET', key });
    const two = await signedParams({ params: { Action: 'X' }, method: 'GET', key });
    expect(one.SignatureNonce).not.toBe(two.SignatureNonce);
  });

  it('percent-encodes like the SDKs', () => {
    expect(percentEncode("a b*~!'()/+=")).toBe('a%20b%2A~%21%27%28%29%2F%2B%3D');
    expect(percentEncode('汉')).toBe('%E6%B1%89');
  });
});
