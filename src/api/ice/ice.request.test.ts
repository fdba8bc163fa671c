import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AppError, isAppError } from '../../shared/errors.js';
import { decodeForm, guessIceFormat, MAX_FORM_PARAMETERS, parseIceRequest } from './ice.request.js';

const form = { 'content-type': 'application/x-www-form-urlencoded' };

function failure(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (isAppError(error)) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('parseIceRequest', () => {
  it('merges query and form body, separating business from common parameters', () => {
    const parsed = parseIceRequest({
      method: 'POST',
      url: '/?Action=SubmitAudioProduceJob&Version=2020-11-09&RegionId=cn-shanghai&Title=a%20b',
      headers: { ...form, host: 'x' },
      rawBody: Buffer.from('InputConfig=%E4%BD%A0%E5%A5%BD+world&Overwrite=true'),
    });
    expect(parsed.action).toBe('SubmitAudioProduceJob');
    expect(parsed.version).toBe('2020-11-09');
    expect(parsed.format).toBe('JSON');
    expect({ ...parsed.params }).toEqual({ Title: 'a b', InputConfig: '你好 world', Overwrite: 'true' });
    expect(parsed.common).toEqual({ regionId: 'cn-shanghai' });
    expect({ ...parsed.query }).toEqual({ Action: 'SubmitAudioProduceJob', Version: '2020-11-09', RegionId: 'cn-shanghai', Title: 'a b' });
    expect(parsed.auth).toEqual({ kind: 'none' });
  });

  it('refuses a parameter given in both query and body, or twice in one of them', () => {
    const across = failure(() =>
      parseIceRequest({ method: 'POST', url: '/?Action=A&Title=x', headers: form, rawBody: Buffer.from('Title=y') }),
    );
    expect(across.code).toBe('InvalidParameter');
    expect(across.param).toBe('Title');
    expect(failure(() => parseIceRequest({ method: 'GET', url: '/?Action=A&Title=x&Title=x', headers: {} })).param).toBe('Title');
    expect(failure(() => parseIceRequest({ method: 'POST', url: '/?Action=A', headers: form, rawBody: Buffer.from('T=1&T=2') })).param).toBe('T');
  });

  it('takes the action from x-acs-action when the parameter is absent, and the parameter when both are there', () => {
    expect(parseIceRequest({ method: 'POST', url: '/?JobId=1', headers: { 'x-acs-action': 'GetSmartHandleJob' } }).action).toBe('GetSmartHandleJob');
    expect(parseIceRequest({ method: 'POST', url: '/?Action=Echo', headers: { 'x-acs-action': 'echo' } }).action).toBe('Echo');
  });

  it('requires an action', () => {
    expect(failure(() => parseIceRequest({ method: 'GET', url: '/', headers: {} })).code).toBe('MissingAction');
  });

  it('accepts Format JSON/XML in any case and refuses anything else', () => {
    expect(parseIceRequest({ method: 'GET', url: '/?Action=A&Format=xml', headers: {} }).format).toBe('XML');
    expect(parseIceRequest({ method: 'GET', url: '/?Action=A&Format=json', headers: {} }).format).toBe('JSON');
    expect(parseIceRequest({ method: 'GET', url: '/?Action=A&Format=Xml', headers: {} }).format).toBe('XML');
    expect(failure(() => parseIceRequest({ method: 'GET', url: '/?Action=A&Format=yaml', headers: {} })).code).toBe('InvalidParameter.Format');
  });

  it('accepts only GET and POST', () => {
    expect(failure(() => parseIceRequest({ method: 'PUT', url: '/?Action=A', headers: {} })).code).toBe('UnsupportedHTTPMethod');
    expect(parseIceRequest({ method: 'get', url: '/?Action=A', headers: {} }).method).toBe('GET');
  });

  it('requires Version 2020-11-09 when a version is given, by parameter or header', () => {
    expect(parseIceRequest({ method: 'GET', url: '/?Action=A', headers: {} }).version).toBe('2020-11-09');
    const bad = failure(() => parseIceRequest({ method: 'GET', url: '/?Action=A&Version=2017-09-06', headers: {} }));
    expect(bad.code).toBe('InvalidParameter');
    expect(bad.param).toBe('Version');
    expect(failure(() => parseIceRequest({ method: 'GET', url: '/?Action=A', headers: { 'x-acs-version': '2014-05-26' } })).param).toBe('Version');
  });

  it('does not read a non-form body as parameters, but keeps its bytes', () => {
    const parsed = parseIceRequest({ method: 'POST', url: '/?Action=A', headers: { 'content-type': 'application/json' }, rawBody: Buffer.from('{"Title":"x"}') });
    expect({ ...parsed.params }).toEqual({});
    expect(parsed.rawBody.toString()).toBe('{"Title":"x"}');
  });

  it('treats __proto__ as an ordinary parameter name', () => {
    const parsed = parseIceRequest({ method: 'GET', url: '/?Action=A&__proto__=x&constructor=y', headers: {} });
    expect(parsed.params.__proto__).toBe('x');
    expect(Object.keys(parsed.params).sort()).toEqual(['__proto__', 'constructor']);
  });

  it('reads v1 credentials and insists on every signature parameter', () => {
    const url = '/?Action=A&AccessKeyId=k&Signature=s&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&SignatureNonce=n&Timestamp=2024-01-01T00%3A00%3A00Z';
    expect(parseIceRequest({ method: 'GET', url, headers: {} }).auth).toEqual({
      kind: 'v1',
      accessKeyId: 'k',
      signature: 's',
      signatureMethod: 'HMAC-SHA1',
      signatureVersion: '1.0',
      signatureNonce: 'n',
      timestamp: '2024-01-01T00:00:00Z',
    });
    expect(failure(() => parseIceRequest({ method: 'GET', url: url.replace('&SignatureNonce=n', ''), headers: {} })).code).toBe('MissingSignatureNonce');
    expect(failure(() => parseIceRequest({ method: 'GET', url: url.replace('&AccessKeyId=k', ''), headers: {} })).code).toBe('MissingAccessKeyId');
  });

  it('takes a v1-signed action only from the signed parameters, never from the x-acs-action header', () => {
    const url = '/?JobId=1&AccessKeyId=k&Signature=s&SignatureMethod=HMAC-SHA1&SignatureVersion=1.0&SignatureNonce=n&Timestamp=2024-01-01T00%3A00%3A00Z';
    expect(failure(() => parseIceRequest({ method: 'GET', url, headers: { 'x-acs-action': 'DeleteSmartJob' } })).code).toBe('MissingAction');
    expect(parseIceRequest({ method: 'GET', url: `${url}&Action=GetSmartHandleJob`, headers: { 'x-acs-action': 'GetSmartHandleJob' } }).action).toBe('GetSmartHandleJob');
  });

  it('refuses a NUL character in any parameter, naming it', () => {
    const nul = failure(() => parseIceRequest({ method: 'POST', url: '/?Action=A', headers: form, rawBody: Buffer.from('Title=a%00b') }));
    expect(nul.code).toBe('InvalidParameter');
    expect(nul.param).toBe('Title');
    expect(nul.message).toContain('NUL');
    expect(failure(() => parseIceRequest({ method: 'GET', url: '/?Action=A&InputConfig=hello%00world', headers: {} })).param).toBe('InputConfig');
  });

  it('reads a V3 Authorization header and refuses one that leaves x-acs-* headers or host unsigned', () => {
    const headers = {
      host: 'h',
      'x-acs-action': 'A',
      'x-acs-date': '2024-01-01T00:00:00Z',
      'x-acs-signature-nonce': 'n',
      authorization: 'ACS3-HMAC-SHA256 Credential=k,SignedHeaders=host;x-acs-action;x-acs-date;x-acs-signature-nonce,Signature=ab',
    };
    expect(parseIceRequest({ method: 'POST', url: '/', headers }).auth).toEqual({
      kind: 'v3',
      accessKeyId: 'k',
      algorithm: 'ACS3-HMAC-SHA256',
      signedHeaders: ['host', 'x-acs-action', 'x-acs-date', 'x-acs-signature-nonce'],
      signature: 'ab',
      date: '2024-01-01T00:00:00Z',
      nonce: 'n',
    });
    const extra = failure(() => parseIceRequest({ method: 'POST', url: '/', headers: { ...headers, 'x-acs-extra': '1' } }));
    expect(extra.code).toBe('IncompleteSignature');
    expect(extra.message).toContain('x-acs-extra');
    const noHost = failure(() =>
      parseIceRequest({ method: 'POST', url: '/', headers: { ...headers, authorization: headers.authorization.replace('host;', '') } }),
    );
    expect(noHost.message).toContain('host');
    expect(
      failure(() => parseIceRequest({ method: 'POST', url: '/', headers: { ...headers, authorization: 'ACS3-HMAC-SM3 Credential=k,SignedHeaders=host,Signature=a' } })).code,
    ).toBe('InvalidSignatureMethod');
    expect(failure(() => parseIceRequest({ method: 'POST', url: '/?Signature=x', headers })).code).toBe('IncompleteSignature');
  });
});

describe('guessIceFormat', () => {
  it('finds Format=XML in the query or a form body and otherwise says JSON, never throwing', () => {
    expect(guessIceFormat({ url: '/?Format=xml', headers: {} })).toBe('XML');
    expect(guessIceFormat({ url: '/', headers: form, rawBody: Buffer.from('Format=XML') })).toBe('XML');
    expect(guessIceFormat({ url: '/?Format=%ZZ', headers: {} })).toBe('JSON');
    expect(guessIceFormat({ url: '/?Format=yaml', headers: {} })).toBe('JSON');
  });
});

describe('decodeForm', () => {
  it('takes up to MAX_FORM_PARAMETERS parameters and refuses more', () => {
    const form = (n: number) => Array.from({ length: n }, (_, i) => `p${i}=${i}`).join('&');
    expect(Object.keys(decodeForm(form(MAX_FORM_PARAMETERS)))).toHaveLength(MAX_FORM_PARAMETERS);
    expect(() => decodeForm(form(MAX_FORM_PARAMETERS + 1))).toThrow(/more than 200 parameters/);
  });

  /**
   * The WHATWG form decoding, with parseIceRequest's rules (empty names skipped). The leading `&`
   * keeps URLSearchParams' constructor from dropping a leading `?`, which the form parser keeps.
   */
  const whatwg = (text: string) => new URLSearchParams(`&${text}`);
  function reference(text: string): Record<string, string> {
    const out: Record<string, string> = Object.create(null);
    for (const [name, value] of whatwg(text)) if (name !== '') out[name] = value;
    return out;
  }

  it('decodes ASCII form bodies exactly as URLSearchParams does, malformed escapes included', () => {
    // What clients send: everything outside ASCII percent-encoded. Pieces exercise every branch:
    // separators, plus signs, good and bad escapes, broken UTF-8.
    const piece = fc.oneof(
      fc.constantFrom('&', '=', '+', '%', '%2', '%zz', '%20', '%2B', '%26', '%3D', '%E4%BD%A0', '%E4%BD', '%FF', '%C3%A9', '%F0%9F%98%80', 'a', 'B', '0', ' '),
      fc.string({ maxLength: 4 }),
    );
    const text = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (input) => {
        const names = [...whatwg(input).keys()].filter((n) => n !== '');
        if (new Set(names).size !== names.length) {
          expect(() => decodeForm(input)).toThrow(/given more than once/);
          return;
        }
        expect({ ...decodeForm(input) }).toEqual({ ...reference(input) });
      }),
      { numRuns: 3000 },
    );
  });

  it('decodes raw non-ASCII text by the WHATWG rules (percent-decoding works on UTF-8 bytes)', () => {
    // Node 20's own URLSearchParams gets these wrong when a malformed escape shares the string
    // with non-ASCII characters ("%😀" → "%=\u0000"); the expected values follow the standard.
    expect({ ...decodeForm('%😀%E4%BD%A0') }).toEqual({ '%😀你': '' });
    expect({ ...decodeForm('你=好%zz&x=%E4%BD') }).toEqual({ 你: '好%zz', x: '\uFFFD' });
    expect({ ...decodeForm('t=%FF%C3%A9+%') }).toEqual({ t: '\uFFFDé %' });
  });
});
