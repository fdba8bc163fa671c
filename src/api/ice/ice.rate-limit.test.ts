import { describe, expect, it } from 'vitest';
import { isAppError } from '../../shared/errors.js';
import { createRateLimiter } from './ice.rate-limit.js';

describe('createRateLimiter', () => {
  it('allows a burst, then throttles with a retry-after, and refills over time, per key', () => {
    let now = new Date('2024-01-01T00:00:00Z');
    const limiter = createRateLimiter({ ratePerSecond: 0.5, burst: 3, now: () => now });
    for (let i = 0; i < 3; i++) limiter.consume('a');
    try {
      limiter.consume('a');
      expect.unreachable();
    } catch (error) {
      if (!isAppError(error)) throw error;
      expect(error.code).toBe('Throttling.User');
      expect(error.httpStatus).toBe(400);
      expect(error.retryAfterSeconds).toBe(2);
    }
    limiter.consume('b');
    now = new Date(now.getTime() + 1000);
    expect(() => limiter.consume('a')).toThrow();
    now = new Date(now.getTime() + 1000);
    expect(() => limiter.consume('a')).not.toThrow();
    expect(() => limiter.consume('a')).toThrow();
  });

  it('never lets a clock stepping back add tokens', () => {
    let now = new Date('2024-01-01T00:00:10Z');
    const limiter = createRateLimiter({ ratePerSecond: 1, burst: 1, now: () => now });
    limiter.consume('a');
    now = new Date('2024-01-01T00:00:00Z');
    expect(() => limiter.consume('a')).toThrow();
    now = new Date('2024-01-01T00:00:10Z');
    expect(() => limiter.consume('a')).toThrow();
    now = new Date('2024-01-01T00:00:11Z');
    expect(() => limiter.consume('a')).not.toThrow();
  });

  it('refuses nonsense settings', () => {
    expect(() => createRateLimiter({ ratePerSecond: 0, burst: 1, now: () => new Date() })).toThrow();
    expect(() => createRateLimiter({ ratePerSecond: 1, burst: 0, now: () => new Date() })).toThrow();
  });
});
