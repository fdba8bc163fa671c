/**
 * Group commit for SQLite: writes that arrive in the same turn of the event loop (in the writer
 * thread: the messages that came in together) run in one transaction, so one WAL fsync
 * (synchronous=FULL) covers them all. Each write still resolves only
 * after that commit, so "resolved" keeps meaning "on disk". Each write runs in its own savepoint:
 * one failing (a duplicate key) rolls back alone and rejects alone.
 */
import type Database from 'better-sqlite3';

interface Pending {
  run: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  outcome?: { ok: true; value: unknown } | { ok: false; error: unknown };
}

export function createGroupCommit(db: Database.Database) {
  let queue: Pending[] = [];
  let scheduled = false;
  // A transaction nested in a transaction is a SAVEPOINT in better-sqlite3.
  const savepoint = db.transaction((run: () => unknown) => run());
  const commitAll = db.transaction((batch: Pending[]) => {
    for (const item of batch) {
      try {
        item.outcome = { ok: true, value: savepoint(item.run) };
      } catch (error) {
        item.outcome = { ok: false, error };
      }
    }
  });

  function flush() {
    scheduled = false;
    const batch = queue;
    queue = [];
    try {
      // IMMEDIATE takes the write lock before the first read, so a write that reads then updates
      // (a claim) cannot lose a race to another connection between the two.
      commitAll.immediate(batch);
    } catch (error) {
      // The commit itself failed (disk full, I/O error): nothing in the batch is durable.
      for (const item of batch) item.reject(error);
      return;
    }
    for (const item of batch) {
      if (item.outcome!.ok) item.resolve(item.outcome!.value);
      else item.reject(item.outcome!.error);
    }
  }

  return function write<T>(run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      queue.push({ run, resolve: resolve as (value: unknown) => void, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
  };
}
