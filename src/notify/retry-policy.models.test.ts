import { describe, expect, it } from 'vitest';
import { DEFAULT_RETRY_POLICY, ICE_RETRY_POLICY, nextAttempt, retryPolicyFrom, type RetryPolicy } from './retry-policy.models.js';

const start = new Date('2024-01-01T00:00:00Z');
const at = (ms: number) => new Date(start.getTime() + ms);
const delayAfter = (policy: RetryPolicy, attempts: number, random: number, nowMs = 0) => {
  const next = nextAttempt({ policy, attempts, firstAttemptAt: start, now: at(nowMs), random: () => random });
  return next === 'dead' ? 'dead' : next.getTime() - at(nowMs).getTime();
};

describe('ICE mode', () => {
  it('tries 3 times in all, 1 s apart', () => {
    expect(delayAfter(ICE_RETRY_POLICY, 1, 0.5)).toBe(1000);
    expect(delayAfter(ICE_RETRY_POLICY, 2, 0.5)).toBe(1000);
    expect(delayAfter(ICE_RETRY_POLICY, 3, 0.5)).toBe('dead');
  });
});

describe('backoff mode', () => {
  it('follows the schedule (equal jitter by default)', () => {
    const table: Array<[attempts: number, random: number, delayMs: number]> = [
      [1, 0, 500],
      [1, 0.5, 750],
      [1, 0.999, 999.5],
      [2, 0, 1000],
      [3, 0.5, 3000],
      [10, 0, 256_000],
      [11, 0, 300_000], // capped at 10 min
      [11, 1, 600_000],
      [40, 0.5, 450_000],
    ];
    for (const [attempts, random, delayMs] of table) {
      expect(delayAfter(DEFAULT_RETRY_POLICY, attempts, random), `attempts ${attempts}, random ${random}`).toBe(Math.round(delayMs));
    }
  });

  it('supports full jitter and no jitter', () => {
    const full = retryPolicyFrom({ mode: 'backoff', jitter: 'full' });
    const none = retryPolicyFrom({ mode: 'backoff', jitter: 'none' });
    expect(delayAfter(full, 3, 0)).toBe(0);
    expect(delayAfter(full, 3, 0.25)).toBe(1000);
    expect(delayAfter(none, 3, 0.99)).toBe(4000);
  });

  it('gives up when the next try would be more than 24 h after the first', () => {
    const day = 24 * 3600 * 1000;
    expect(delayAfter(DEFAULT_RETRY_POLICY, 150, 1, day - 600_000)).toBe(600_000);
    expect(delayAfter(DEFAULT_RETRY_POLICY, 150, 1, day - 599_999)).toBe('dead');
  });

  it('still grants minAttempts to an old delivery that was resent', () => {
    const old = 3 * 24 * 3600 * 1000;
    expect(delayAfter(DEFAULT_RETRY_POLICY, 1, 0, old)).toBe(500);
    expect(delayAfter(DEFAULT_RETRY_POLICY, 2, 0, old)).toBe(1000);
    expect(delayAfter(DEFAULT_RETRY_POLICY, 3, 0, old)).toBe('dead');
  });

  it('honours a maximum number of attempts', () => {
    const policy = retryPolicyFrom({ mode: 'backoff', maxAttempts: 5 });
    expect(delayAfter(policy, 4, 0)).toBe(4000);
    expect(delayAfter(policy, 5, 0)).toBe('dead');
  });

  it('fills a partial ICE config from the ICE defaults', () => {
    expect(retryPolicyFrom({ mode: 'ice', intervalMs: 200 })).toEqual({ mode: 'ice', maxAttempts: 3, intervalMs: 200 });
  });
});
