/**
 * The wake-up signal behind waitForWork. Level-triggered on purpose: a worker claims, finds
 * nothing, and only then waits — a job created in between would be missed by a plain event, so
 * a signal raised while nobody waits is remembered and ends the next wait at once. The cost is
 * at most one spurious wake-up, which just costs one empty claim.
 */
export interface WorkSignal {
  /** New work may be there: wake every waiter (or the next one, when nobody waits). */
  raise(): void;
  wait(args: { timeoutMs: number; signal?: AbortSignal }): Promise<void>;
  /** Wakes everyone and makes later waits return at once (the store is closing). */
  close(): void;
}

export function createWorkSignal(): WorkSignal {
  const waiters = new Set<() => void>();
  let pending = false;
  let closed = false;

  return {
    raise() {
      if (waiters.size === 0) {
        pending = true;
        return;
      }
      for (const wake of [...waiters]) wake();
    },
    wait({ timeoutMs, signal }) {
      if (closed || signal?.aborted) return Promise.resolve();
      if (pending) {
        pending = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, timeoutMs));
        signal?.addEventListener('abort', done, { once: true });
        waiters.add(done);
      });
    },
    close() {
      closed = true;
      for (const wake of [...waiters]) wake();
    },
  };
}
