import { describe, expect, it } from 'vitest';
import { authKeyProblem, callbackHeaders, iceCallbackSignature } from './callback-auth.models.js';

describe('iceCallbackSignature', () => {
  it('matches the corrected ICE test vector', () => {
    expect(iceCallbackSignature({ url: 'https://www.example.com/your/callback', timestamp: 1519375990, authKey: 'Test123' })).toBe('c587b80d2d0ede300e8967937da7219b');
    expect(iceCallbackSignature({ url: 'https://www.example.com/your/callback', timestamp: '1519375990', authKey: 'Test123' })).toBe('c587b80d2d0ede300e8967937da7219b');
  });

  it('changes with each input', () => {
    const base = { url: 'https://www.example.com/your/callback', timestamp: 1519375990, authKey: 'Test123' };
    const sig = iceCallbackSignature(base);
    expect(iceCallbackSignature({ ...base, url: base.url + '?' })).not.toBe(sig);
    expect(iceCallbackSignature({ ...base, timestamp: 1519375991 })).not.toBe(sig);
    expect(iceCallbackSignature({ ...base, authKey: 'Test124' })).not.toBe(sig);
  });
});

describe('authKeyProblem', () => {
  it('accepts keys of at most 32 chars with upper, lower and digits', () => {
    expect(authKeyProblem('Test123')).toBeNull();
    expect(authKeyProblem('TestKey001')).toBeNull();
    expect(authKeyProblem('Aa1' + 'x'.repeat(29))).toBeNull();
  });
  it('refuses the rest', () => {
    expect(authKeyProblem('')).toMatch(/empty/);
    expect(authKeyProblem('Aa1' + 'x'.repeat(30))).toMatch(/32/);
    expect(authKeyProblem('test123')).toMatch(/upper/);
    expect(authKeyProblem('TEST123')).toMatch(/lower/);
    expect(authKeyProblem('TestKey')).toMatch(/digits/);
    expect(authKeyProblem('Test 123')).toMatch(/printable/);
  });
});

describe('callbackHeaders', () => {
  it('has the fixed headers and no auth headers when auth is off', () => {
    expect(callbackHeaders({ deliveryId: 'd'.repeat(32), url: 'https://a.example.com/', now: new Date(0), authKey: null })).toEqual({
      'content-type': 'application/json',
      'user-agent': 'Narrate',
      'x-narrate-delivery-id': 'd'.repeat(32),
    });
  });
  it('adds X-ICE-TIMESTAMP (Unix seconds) and X-ICE-SIGNATURE over the posted URL when auth is on', () => {
    const headers = callbackHeaders({ deliveryId: 'id', url: 'https://www.example.com/your/callback', now: new Date(1519375990_999), authKey: 'Test123' });
    expect(headers['x-ice-timestamp']).toBe('1519375990');
    expect(headers['x-ice-signature']).toBe('c587b80d2d0ede300e8967937da7219b');
  });
});
