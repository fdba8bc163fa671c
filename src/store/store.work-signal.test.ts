import { describe, expect, it } from 'vitest';
import { createWorkSignal } from './store.work-signal.js';

/** Whether `promise` settles before a timer of `ms` fires (the wait's own timeout is far longer). */
const settlesWithin = (promise: Promise<void>, ms = 200) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

describe('the work signal', () => {
  it('wakes a waiter when work is raised', async () => {
    const signal = createWorkSignal();
    const waiting = signal.wait({ timeoutMs: 60_000, waiter: 'jobs' });
    expect(await settlesWithin(waiting)).toBe(false);
    signal.raise();
    expect(await settlesWithin(waiting)).toBe(true);
  });

  it('remembers a raise for each kind of waiter that was busy, not only for the first to wait', async () => {
    const signal = createWorkSignal();
    signal.raise();
    // Each loop's first wait after a raise it may have missed returns at once.
    expect(await settlesWithin(signal.wait({ timeoutMs: 60_000, waiter: 'jobs' }))).toBe(true);
    expect(await settlesWithin(signal.wait({ timeoutMs: 60_000, waiter: 'callbacks' }))).toBe(true);
    // Both loops are busy when new work comes in.
    signal.raise();
    expect(await settlesWithin(signal.wait({ timeoutMs: 60_000, waiter: 'jobs' }))).toBe(true);
    expect(await settlesWithin(signal.wait({ timeoutMs: 60_000, waiter: 'callbacks' }))).toBe(true);
    // Seen by both: the next waits sleep again.
    expect(await settlesWithin(signal.wait({ timeoutMs: 60_000, waiter: 'jobs' }))).toBe(false);
    signal.close();
  });

  it('ends every wait on close and on abort', async () => {
    const signal = createWorkSignal();
    const controller = new AbortController();
    const aborted = signal.wait({ timeoutMs: 60_000, signal: controller.signal });
    controller.abort();
    expect(await settlesWithin(aborted)).toBe(true);
    const closing = signal.wait({ timeoutMs: 60_000 });
    signal.close();
    expect(await settlesWithin(closing)).toBe(true);
    expect(await settlesWithin(signal.wait({ timeoutMs: 60_000 }))).toBe(true);
  });
});
