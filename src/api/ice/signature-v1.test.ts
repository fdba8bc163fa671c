import { describe, expect, it } from 'vitest';
import { percentEncode, signV1, verifyV1 } from './signature-v1.js';
import { V1_DESCRIBE_DEDICATED_HOSTS, V1_DESCRIBE_REGIONS, V1_ICE } from '../../../test/support/signature-v1-vectors.js';

// Every vector from reference §7.4.
const ICE_PARAMS = V1_ICE.params;

describe('percentEncode (RFC 3986 as Alibaba signs)', () => {
  it('keeps unreserved characters and encodes everything else with upper-case hex', () => {
    expect(percentEncode('AZaz09-_.~')).toBe('AZaz09-_.~');
    expect(percentEncode(' ')).toBe('%20');
    expect(percentEncode('*')).toBe('%2A');
    expect(percentEncode("!'()")).toBe('%21%27%28%29');
    expect(percentEncode('+/=')).toBe('%2B%2F%3D');
    expect(percentEncode('你')).toBe('%E4%BD%A0');
    expect(percentEncode('😀')).toBe('%F0%9F%98%80');
  });
  it('does not throw on a lone surrogate', () => {
    expect(percentEncode('\uD800')).toBe('%EF%BF%BD');
  });
});

describe('signV1 — official test vector 1 (DescribeRegions)', () => {
  const { params } = V1_DESCRIBE_REGIONS;
  it('produces the documented StringToSign and Signature', () => {
    const { stringToSign, signature } = signV1({ params, method: 'GET', secret: 'testsecret' });
    expect(stringToSign).toBe(V1_DESCRIBE_REGIONS.stringToSign);
    expect(signature).toBe(V1_DESCRIBE_REGIONS.signature);
  });
  it('ignores a Signature parameter among the params', () => {
    expect(signV1({ params: { ...params, Signature: 'whatever' }, method: 'GET', secret: 'testsecret' }).signature).toBe(V1_DESCRIBE_REGIONS.signature);
  });
});

describe('signV1 — official test vector 2 (DescribeDedicatedHosts)', () => {
  it('produces the documented Signature', () => {
    expect(signV1({ params: V1_DESCRIBE_DEDICATED_HOSTS.params, method: 'GET', secret: 'testsecret' }).signature).toBe(V1_DESCRIBE_DEDICATED_HOSTS.signature);
  });
});

describe('signV1 — ICE self-computed vector', () => {
  it('POST gives the documented StringToSign and Signature', () => {
    const { stringToSign, signature } = signV1({ params: ICE_PARAMS, method: 'POST', secret: 'testsecret' });
    expect(stringToSign).toBe(V1_ICE.postStringToSign);
    expect(signature).toBe('OxM6Cc3pmaqUiO8XPNyGzSz1oh0=');
  });
  it('GET gives the documented Signature', () => {
    expect(signV1({ params: ICE_PARAMS, method: 'GET', secret: 'testsecret' }).signature).toBe('fEOuHoIpZqITqtYoYgA7nCmj74Q=');
  });
  it('the method is upper-cased before signing', () => {
    expect(signV1({ params: ICE_PARAMS, method: 'post', secret: 'testsecret' }).signature).toBe('OxM6Cc3pmaqUiO8XPNyGzSz1oh0=');
  });
});

describe('verifyV1', () => {
  it('accepts the right signature and rejects a wrong secret, a changed param or a changed method', () => {
    const signature = 'OxM6Cc3pmaqUiO8XPNyGzSz1oh0=';
    expect(verifyV1({ params: ICE_PARAMS, method: 'POST', secret: 'testsecret', signature }).ok).toBe(true);
    expect(verifyV1({ params: ICE_PARAMS, method: 'POST', secret: 'testsecreT', signature }).ok).toBe(false);
    expect(verifyV1({ params: { ...ICE_PARAMS, InputConfig: 'x' }, method: 'POST', secret: 'testsecret', signature }).ok).toBe(false);
    expect(verifyV1({ params: ICE_PARAMS, method: 'GET', secret: 'testsecret', signature }).ok).toBe(false);
    expect(verifyV1({ params: ICE_PARAMS, method: 'POST', secret: 'testsecret', signature: '' }).ok).toBe(false);
  });
  it('returns the server string-to-sign, which never contains the secret', () => {
    const { stringToSign } = verifyV1({ params: ICE_PARAMS, method: 'POST', secret: 'topsecretvalue', signature: 'x' });
    expect(stringToSign).not.toContain('topsecretvalue');
    expect(stringToSign.startsWith('POST&%2F&AccessKeyId%3Dtestid')).toBe(true);
  });
});
