import { describe, expect, it } from 'vitest';
import { percentEncode, signV1, verifyV1 } from './signature-v1.js';

// Every vector from reference §7.4.
const ICE_PARAMS = {
  AccessKeyId: 'testid',
  Action: 'SubmitAudioProduceJob',
  Format: 'JSON',
  RegionId: 'cn-shanghai',
  SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
  SignatureVersion: '1.0',
  Timestamp: '2024-01-01T00:00:00Z',
  Version: '2020-11-09',
  EditingConfig: '{"voice":"Siqi","format":"MP3","volume":50}',
  InputConfig: '你好，世界！Hello world*~',
  OutputConfig: '{"bucket":"my-bucket","object":"tts/hello"}',
};

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
  const params = {
    AccessKeyId: 'testid',
    Action: 'DescribeRegions',
    Format: 'XML',
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
    SignatureVersion: '1.0',
    Timestamp: '2016-02-23T12:46:24Z',
    Version: '2014-05-26',
  };
  it('produces the documented StringToSign and Signature', () => {
    const { stringToSign, signature } = signV1({ params, method: 'GET', secret: 'testsecret' });
    expect(stringToSign).toBe(
      'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26',
    );
    expect(signature).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  });
  it('ignores a Signature parameter among the params', () => {
    expect(signV1({ params: { ...params, Signature: 'whatever' }, method: 'GET', secret: 'testsecret' }).signature).toBe(
      'OLeaidS1JvxuMvnyHOwuJ+uX5qY=',
    );
  });
});

describe('signV1 — official test vector 2 (DescribeDedicatedHosts)', () => {
  it('produces the documented Signature', () => {
    const params = {
      AccessKeyId: 'testid',
      Action: 'DescribeDedicatedHosts',
      Format: 'JSON',
      RegionId: 'cn-beijing',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: 'edb2b34af0af9a6d14deaf7c1a5315eb',
      SignatureVersion: '1.0',
      Timestamp: '2023-03-13T08:34:30Z',
      Version: '2014-05-26',
    };
    expect(signV1({ params, method: 'GET', secret: 'testsecret' }).signature).toBe('9NaGiOspFP5UPcwX8Iwt2YJXXuk=');
  });
});

describe('signV1 — ICE self-computed vector', () => {
  it('POST gives the documented StringToSign and Signature', () => {
    const { stringToSign, signature } = signV1({ params: ICE_PARAMS, method: 'POST', secret: 'testsecret' });
    expect(stringToSign).toBe(
      'POST&%2F&AccessKeyId%3Dtestid%26Action%3DSubmitAudioProduceJob%26EditingConfig%3D%257B%2522voice%2522%253A%2522Siqi%2522%252C%2522format%2522%253A%2522MP3%2522%252C%2522volume%2522%253A50%257D%26Format%3DJSON%26InputConfig%3D%25E4%25BD%25A0%25E5%25A5%25BD%25EF%25BC%258C%25E4%25B8%2596%25E7%2595%258C%25EF%25BC%2581Hello%2520world%252A~%26OutputConfig%3D%257B%2522bucket%2522%253A%2522my-bucket%2522%252C%2522object%2522%253A%2522tts%252Fhello%2522%257D%26RegionId%3Dcn-shanghai%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D45e25e9b-0a6f-4070-8c85-2956eda1b466%26SignatureVersion%3D1.0%26Timestamp%3D2024-01-01T00%253A00%253A00Z%26Version%3D2020-11-09',
    );
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
