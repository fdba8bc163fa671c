import { describe, expect, it } from 'vitest';
import { EMPTY_BODY_SHA256, authorizationHeaderV3, canonicalRequestV3, sha256Hex, signV3, verifyV3 } from './signature-v3.js';

const SIGNED = ['host', 'x-acs-action', 'x-acs-content-sha256', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-version'];

// Official vector, reference §7.5 (ECS RunInstances).
const OFFICIAL = {
  method: 'POST',
  query: { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' },
  headers: {
    host: 'ecs.cn-shanghai.aliyuncs.com',
    'x-acs-action': 'RunInstances',
    'x-acs-version': '2014-05-26',
    'x-acs-date': '2023-10-26T10:22:32Z',
    'x-acs-signature-nonce': '3156853299f313e23d1673dc12e1703d',
    'x-acs-content-sha256': EMPTY_BODY_SHA256,
  },
  signedHeaders: SIGNED,
  hashedPayload: EMPTY_BODY_SHA256,
};

// ICE self-computed vector, reference §7.5.
const ICE = {
  method: 'POST',
  query: {
    EditingConfig: '{"voice":"Siqi","format":"MP3","volume":50}',
    InputConfig: '你好，世界！Hello world*~',
    OutputConfig: '{"bucket":"my-bucket","object":"tts/hello"}',
  },
  headers: {
    host: 'ice.cn-shanghai.aliyuncs.com',
    'x-acs-action': 'SubmitAudioProduceJob',
    'x-acs-version': '2020-11-09',
    'x-acs-date': '2024-01-01T00:00:00Z',
    'x-acs-signature-nonce': '3156853299f313e23d1673dc12e1703d',
    'x-acs-content-sha256': EMPTY_BODY_SHA256,
  },
  signedHeaders: SIGNED,
  hashedPayload: EMPTY_BODY_SHA256,
};

describe('sha256Hex', () => {
  it('hashes the empty body to the documented constant', () => {
    expect(sha256Hex(Buffer.alloc(0))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
});

describe('signV3 — official vector (RunInstances)', () => {
  it('gives the documented hashed canonical request and signature', () => {
    const out = signV3({ ...OFFICIAL, secret: 'YourAccessKeySecret' });
    expect(out.hashedCanonicalRequest).toBe('7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259');
    expect(out.stringToSign).toBe('ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259');
    expect(out.signature).toBe('06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0');
    expect(
      authorizationHeaderV3({ accessKeyId: 'YourAccessKeyId', signedHeaders: SIGNED, signature: out.signature }),
    ).toBe(
      'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    );
  });
  it('builds the canonical request in the documented layout', () => {
    expect(canonicalRequestV3(OFFICIAL)).toBe(
      [
        'POST',
        '/',
        'ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai',
        'host:ecs.cn-shanghai.aliyuncs.com\nx-acs-action:RunInstances\nx-acs-content-sha256:' +
          EMPTY_BODY_SHA256 +
          '\nx-acs-date:2023-10-26T10:22:32Z\nx-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\nx-acs-version:2014-05-26\n',
        SIGNED.join(';'),
        EMPTY_BODY_SHA256,
      ].join('\n'),
    );
  });
});

describe('signV3 — ICE self-computed vector', () => {
  it('gives the documented hashed canonical request and signature', () => {
    const out = signV3({ ...ICE, secret: 'YourAccessKeySecret' });
    expect(out.hashedCanonicalRequest).toBe('3f6a67bdcda6ec6732a87009a4191b180b5ba178abac4d9a5b10ae44f94b0dd5');
    expect(out.signature).toBe('ae87d40a3dddbf805077c80af3cc5745039e07b6e3c0b6ad50e967e9d312043d');
  });
});

describe('verifyV3', () => {
  const signature = 'ae87d40a3dddbf805077c80af3cc5745039e07b6e3c0b6ad50e967e9d312043d';
  it('accepts the right signature (any hex case) and rejects tampering', () => {
    expect(verifyV3({ ...ICE, secret: 'YourAccessKeySecret', signature }).ok).toBe(true);
    expect(verifyV3({ ...ICE, secret: 'YourAccessKeySecret', signature: signature.toUpperCase() }).ok).toBe(true);
    expect(verifyV3({ ...ICE, secret: 'wrong', signature }).ok).toBe(false);
    expect(verifyV3({ ...ICE, headers: { ...ICE.headers, host: 'evil.example' }, secret: 'YourAccessKeySecret', signature }).ok).toBe(false);
    expect(verifyV3({ ...ICE, query: { ...ICE.query, InputConfig: 'x' }, secret: 'YourAccessKeySecret', signature }).ok).toBe(false);
    expect(verifyV3({ ...ICE, method: 'GET', secret: 'YourAccessKeySecret', signature }).ok).toBe(false);
    expect(verifyV3({ ...ICE, hashedPayload: sha256Hex('a=1'), secret: 'YourAccessKeySecret', signature }).ok).toBe(false);
  });
});
