import { describe, expect, it } from 'vitest';
import { sleep, withDeadline } from './timers.js';

describe('sleep', () => {
  it('ends at once when the signal aborts, and at once for a signal already aborted', async () => {
    const controller = new AbortController();
    const long = sleep(60_000, controller.signal);
    controller.abort();
    await expect(long).resolves.toBeUndefined();
    await expect(sleep(60_000, AbortSignal.abort())).resolves.toBeUndefined();
  });
});

describe('withDeadline', () => {
  it('passes a settled promise through, value or error', async () => {
    await expect(withDeadline(Promise.resolve(7), 60_000, () => new Error('late'))).resolves.toBe(7);
    await expect(withDeadline(Promise.reject(new Error('own')), 60_000, () => new Error('late'))).rejects.toThrow('own');
  });

  it('rejects with the given error when the promise never settles', async () => {
    await expect(withDeadline(new Promise(() => {}), 20, () => new Error('no answer'))).rejects.toThrow('no answer');
  });
});
