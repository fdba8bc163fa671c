import { describe, expect, it } from 'vitest';
import { constantTimeEqual, signatureEqual } from './constant-time.js';

describe('constant-time comparisons', () => {
  it('signatureEqual: equal only for the same bytes, whatever the lengths', () => {
    const hex = 'a'.repeat(64);
    expect(signatureEqual(hex, 'a'.repeat(64))).toBe(true);
    expect(signatureEqual(hex, `${'a'.repeat(63)}b`)).toBe(false);
    expect(signatureEqual(hex, 'a'.repeat(63))).toBe(false);
    expect(signatureEqual(hex, '')).toBe(false);
    // Same number of characters, more bytes in UTF-8: unequal, not an exception.
    expect(signatureEqual(hex, `${'a'.repeat(63)}é`)).toBe(false);
  });

  it('constantTimeEqual: the same answers', () => {
    expect(constantTimeEqual('secret', 'secret')).toBe(true);
    expect(constantTimeEqual('secret', 'secreT')).toBe(false);
    expect(constantTimeEqual('secret', 'secret-longer')).toBe(false);
  });
});
