import { describe, expect, it } from 'vitest';
import { callbackLeaseMs, defaultPublicUrl, isWildcardHost } from './narrate.js';

describe('defaultPublicUrl', () => {
  it('uses the listening address, loopback for every interface, brackets for IPv6', () => {
    expect(defaultPublicUrl('127.0.0.1', 8080)).toBe('http://127.0.0.1:8080');
    expect(defaultPublicUrl('tts.internal', 80)).toBe('http://tts.internal:80');
    expect(defaultPublicUrl('0.0.0.0', 8080)).toBe('http://127.0.0.1:8080');
    expect(defaultPublicUrl('::', 8080)).toBe('http://127.0.0.1:8080');
    expect(defaultPublicUrl('::1', 8080)).toBe('http://[::1]:8080');
    expect(new URL(defaultPublicUrl('fd00::5', 9000)).port).toBe('9000');
    expect(isWildcardHost('0.0.0.0') && isWildcardHost('::') && !isWildcardHost('10.0.0.1')).toBe(true);
  });
});

describe('callbackLeaseMs', () => {
  it('outlasts the slowest callback the timeout allows, with room to spare', () => {
    for (const timeout of [100, 3000, 29_000, 50_000, 60_000]) expect(callbackLeaseMs(timeout)).toBeGreaterThanOrEqual(timeout + 30_000);
  });
});
