/**
 * The wake-up signal behind waitForWork. Level-triggered on purpose: a worker claims, finds
 * nothing, and only then waits — a job created in between would be missed by a plain event, so
 * a signal raised while a waiter is busy is remembered and ends its next wait at once. The cost is
 * at most one spurious wake-up, which just costs one empty claim.
 *
 * Each kind of waiter (`waiter`: the job claim loop, the callback dispatcher) remembers a raise
 * for itself: with one flag for all, the first to wait would take it and the other would sleep
 * through the new work until its timeout (a callback sent seconds late).
 */
export interface WaitForWorkArgs {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Who waits (one name per loop: "jobs", "callbacks"); a raise is remembered for each. */
  waiter?: string;
}

export interface WorkSignal {
  /** New work may be there: wake every waiter, and remember it for each that is not waiting now. */
  raise(): void;
  wait(args: WaitForWorkArgs): Promise<void>;
  /** Wakes everyone and makes later waits return at once (the store is closing). */
  close(): void;
}

export function createWorkSignal(): WorkSignal {
  const waiting = new Set<() => void>();
  /** Every waiter name seen so far, and whether a raise is waiting for it. */
  const pending = new Map<string, boolean>();
  let closed = false;
  let raisedEver = false;

  return {
    raise() {
      raisedEver = true;
      for (const name of pending.keys()) pending.set(name, true);
      for (const wake of [...waiting]) wake();
    },
    wait({ timeoutMs, signal, waiter = 'default' }) {
      if (closed || signal?.aborted) return Promise.resolve();
      // A name's first wait cannot know whether a raise it missed came before it: once anything was
      // raised, it returns at once (one empty claim at most).
      if (pending.get(waiter) ?? raisedEver) {
        pending.set(waiter, false);
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          waiting.delete(done);
          // Woken by a raise: this wait has seen it.
          pending.set(waiter, false);
          resolve();
        };
        const timer = setTimeout(done, Math.max(0, timeoutMs));
        signal?.addEventListener('abort', done, { once: true });
        waiting.add(done);
      });
    },
    close() {
      closed = true;
      for (const wake of [...waiting]) wake();
    },
  };
}
