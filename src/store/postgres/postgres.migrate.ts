import type { Pool, QueryConfig, QueryResultRow } from 'pg';
import type { Migration } from '../store.migration.js';
import { isConnectionError } from './postgres.errors.js';
import { quoteIdent } from './postgres.schema.js';

/**
 * Creates the schema if missing and applies the pending migrations in ONE transaction, under a
 * transaction-scoped advisory lock keyed by the schema name: when several api/worker processes
 * start at once, the first migrates and the others wait for it, then find nothing left to do.
 * Refuses a schema written by a newer Narrate.
 *
 * The pool's statement and query timeouts are sized for the store's short queries; a migration
 * (and the wait for another process's migration, behind the advisory lock) may legitimately take
 * longer, so it runs under its own `timeoutMs` (default 10 minutes) instead.
 */
export async function migratePostgres({
  pool,
  schema,
  migrations,
  timeoutMs = 600_000,
}: {
  pool: Pool;
  schema: string;
  migrations: readonly Migration[];
  timeoutMs?: number;
}): Promise<number> {
  const client = await pool.connect();
  let broken: Error | undefined;
  // A checked-out client has no 'error' listener of the pool's: without ours a connection killed
  // mid-migration would crash the process.
  const onClientError = (error: Error) => {
    broken ??= error;
  };
  client.on('error', onClientError);
  // The client-side timeout answers a hung connection; the server's statement_timeout (a little
  // shorter, so it normally fires first and leaves the connection usable) answers a slow statement.
  // (query_timeout per query is supported by pg, but missing from @types/pg's QueryConfig.)
  const query = <R extends QueryResultRow>(text: string, values?: unknown[], ms = timeoutMs + 5_000) =>
    client.query<R>({ text, values, query_timeout: ms } as QueryConfig);
  try {
    await query('BEGIN');
    await query(`SET LOCAL statement_timeout = ${Math.max(0, Math.floor(timeoutMs))}`);
    await query('SELECT pg_advisory_xact_lock(hashtext($1))', [`narrate:migrate:${schema}`]);
    // Only what is missing is created: "IF NOT EXISTS" still checks the CREATE privilege first, so
    // a role handed a ready schema (without CREATE on the database), or a runtime role without
    // CREATE in a schema an administrator migrated, could otherwise never start.
    const existing = await query<{ found: boolean }>('SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS found', [schema]);
    if (!existing.rows[0].found) await query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await query(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
    const ledger = await query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [`${quoteIdent(schema)}.narrate_migrations`]);
    if (!ledger.rows[0].found) {
      await query(`CREATE TABLE IF NOT EXISTS narrate_migrations (
        version    integer PRIMARY KEY,
        name       text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    }
    const { rows } = await query<{ v: number }>('SELECT COALESCE(MAX(version), 0)::int AS v FROM narrate_migrations');
    const found = rows[0].v;
    const newest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
    if (found > newest) {
      throw new Error(`The PostgreSQL schema "${schema}" is at version ${found}, newer than this Narrate knows (${newest}); upgrade Narrate.`);
    }
    let applied = 0;
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= found) continue;
      await query(migration.sql);
      await query('INSERT INTO narrate_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied += 1;
    }
    await query('COMMIT');
    return applied;
  } catch (error) {
    if (broken || isConnectionError(error)) {
      // The connection is gone or hung: do not queue a ROLLBACK behind it; closing it rolls back.
      broken ??= error instanceof Error ? error : new Error(String(error));
    } else {
      // A failed ROLLBACK (or one that does not answer) means the connection is unusable.
      await query('ROLLBACK', undefined, 5_000).catch((rollbackError: Error) => {
        broken ??= rollbackError;
      });
    }
    throw error;
  } finally {
    client.removeListener('error', onClientError);
    // release(error) destroys the connection instead of returning it to the pool.
    client.release(broken);
  }
}
