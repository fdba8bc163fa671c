import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export interface SqliteConnectionOptions {
  /** The database file; its directory is created when missing. `:memory:` works for throwaway use. */
  path: string;
  /** How long a write waits for another connection's lock before failing (ms). Default 5000. */
  busyTimeoutMs?: number;
}

/**
 * Opens a connection with the settings every Narrate connection needs. The store opens two on the
 * same file: one on the main thread for reads, one in the writer thread for every write.
 */
export function openSqliteConnection({ path, busyTimeoutMs = 5000 }: SqliteConnectionOptions): Database.Database {
  let db: Database.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
  } catch (error) {
    // SQLite's own message ("unable to open database file") names neither the file nor the option.
    throw new Error(`cannot open the SQLite database ${path}: ${(error as Error).message} (is --data-dir writable?)`, { cause: error });
  }
  // WAL: readers (API lookups, a CLI) never block the writer and commits append instead of
  // rewriting pages.
  db.pragma('journal_mode = WAL');
  // FULL, not NORMAL: in WAL mode NORMAL syncs only at checkpoints, so a power cut can lose the
  // last commits. With FULL every commit fsyncs the WAL before returning, which is what lets the
  // API answer 200 to SubmitAudioProduceJob meaning "the job row is on disk". The fsync happens in
  // the writer thread, so it never stalls the event loop.
  db.pragma('synchronous = FULL');
  // The other connection (or another process: the keys CLI, a backup) may hold the write lock for
  // a moment: wait.
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  // Temporary data in memory, above all the statement journal: with file temp storage every
  // savepoint (the group commit's, when a batch is retried with each write isolated) and every
  // statement that can fail halfway copied the pages it touched to a temp file first.
  db.pragma('temp_store = MEMORY');
  // Off by default in SQLite and per connection; job_completions relies on it for cascades.
  db.pragma('foreign_keys = ON');
  return db;
}
