import { join } from 'node:path';
import type { JobStore } from './store.types.js';
import { createSqliteStore } from './sqlite/sqlite.store.js';
import { createPostgresStore } from './postgres/postgres.store.js';

export interface CreateStoreOptions {
  /** A postgres:// or postgresql:// URL selects PostgreSQL; anything else (or nothing) selects SQLite. */
  databaseUrl?: string | null;
  /** SQLite lives at <dataDir>/narrate.db. */
  dataDir: string;
  /** PostgreSQL schema for all tables (default `narrate`). Ignored for SQLite. */
  schema?: string;
  /** PostgreSQL pool size per process (default 10). */
  poolSize?: number;
  /** PostgreSQL: hold a LISTEN connection for waitForWork (default true; api-only processes may pass false). */
  listen?: boolean;
  /** PostgreSQL background connection errors, for logging. */
  onError?: (error: Error) => void;
}

export function isPostgresUrl(url: string | null | undefined): url is string {
  return typeof url === 'string' && /^postgres(ql)?:\/\//i.test(url);
}

/** Picks and opens the store; both kinds are migrated and ready when the promise resolves. */
export async function createStore(options: CreateStoreOptions): Promise<JobStore> {
  if (isPostgresUrl(options.databaseUrl)) {
    return createPostgresStore({
      connectionString: options.databaseUrl,
      schema: options.schema,
      poolSize: options.poolSize,
      listen: options.listen,
      onError: options.onError,
    });
  }
  return createSqliteStore({ path: join(options.dataDir, 'narrate.db') });
}
