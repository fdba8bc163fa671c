/**
 * Where the SQLite store's writes run. A commit with synchronous=FULL waits for an fsync (a
 * millisecond or more); on the main thread that wait would stall every HTTP request in the
 * process. So a file database gets a writer thread with its own connection: the main thread
 * posts a write and goes on serving, the thread batches whatever arrived together into one
 * transaction (group commit: one fsync for all) and answers each write once it is on disk.
 *
 * `:memory:` databases cannot be shared between connections, so they write inline, on the
 * calling thread, through the same group commit.
 */
import type Database from 'better-sqlite3';
import { startModuleWorker } from '../../shared/module-worker.js';
import { createGroupCommit } from './sqlite.group-commit.js';
import { createSqliteWrites, type SqliteWriteOp, type SqliteWrites } from './sqlite.writes.js';
import type { SqliteConnectionOptions } from './sqlite.connection.js';

export interface SqliteWriter {
  /** Runs one write; resolves with its result once its transaction is committed (and synced). */
  call<K extends SqliteWriteOp>(op: K, args: Parameters<SqliteWrites[K]>[0]): Promise<ReturnType<SqliteWrites[K]>>;
  /** Waits for writes in flight, then stops. */
  close(): Promise<void>;
}

/** A write's failure as it crosses the thread boundary: the message and SQLite's error code survive. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) return { name: error.name, message: error.message, code: (error as { code?: string }).code };
  return { name: 'Error', message: String(error) };
}

function reviveError(error: SerializedError): Error {
  return Object.assign(new Error(error.message), { name: error.name, ...(error.code === undefined ? {} : { code: error.code }) });
}

/** Writes on the calling thread, with the same batching. For `:memory:` databases. */
export function createInlineSqliteWriter(db: Database.Database): SqliteWriter {
  const writes = createSqliteWrites(db);
  const groupCommit = createGroupCommit(db);
  return {
    call(op, args) {
      return groupCommit(() => (writes[op] as (a: typeof args) => unknown)(args)) as Promise<ReturnType<SqliteWrites[typeof op]>>;
    },
    async close() {},
  };
}

/**
 * One write's outcome; the thread sends those of a batch together, as an array. Tuples, not
 * objects: structured cloning would send and rebuild the property names with every reply.
 */
export type WriterReply = [id: number, ok: true, value: unknown] | [id: number, ok: false, error: SerializedError];

/** Starts the writer thread on the database file (already migrated by the caller). */
export function startSqliteWriterThread(options: SqliteConnectionOptions): SqliteWriter {
  const worker = startModuleWorker({ from: import.meta.url, body: './sqlite.writer-thread', data: { options } });
  const pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  let failure: Error | null = null;
  let closing: Promise<void> | null = null;
  let drained: (() => void) | null = null;
  // An idle writer must not keep the process alive (an SQLite connection does not either).
  worker.unref();

  const failAll = (error: Error) => {
    failure ??= error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
    drained?.();
  };
  worker.on('message', (replies: WriterReply[]) => {
    for (const [id, ok, outcome] of replies) {
      const waiter = pending.get(id);
      if (!waiter) continue;
      pending.delete(id);
      if (ok) waiter.resolve(outcome);
      else waiter.reject(reviveError(outcome));
    }
    if (pending.size === 0) {
      worker.unref();
      drained?.();
    }
  });
  worker.on('error', (error) => failAll(new Error(`the SQLite writer thread failed: ${error.message}`)));
  worker.on('exit', (code) => failAll(new Error(`the SQLite writer thread exited (code ${code})`)));

  return {
    call(op, args) {
      if (closing) return Promise.reject(new Error('the SQLite store is closed'));
      // A writer that died stays dead: its database may be unusable (disk gone), and a store that
      // quietly reopened could hide that. The process's health check reports it.
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ id, op, args });
      });
    },
    close() {
      closing ??= (async () => {
        if (pending.size > 0) await new Promise<void>((resolve) => (drained = resolve));
        if (failure) return;
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        // Referenced until it has closed the database, or the process could end first.
        worker.ref();
        worker.postMessage({ close: true });
        await exited;
      })();
      return closing;
    },
  };
}
