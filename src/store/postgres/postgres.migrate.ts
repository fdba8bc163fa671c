import type { Pool } from 'pg';
import type { Migration } from '../store.migration.js';
import { quoteIdent } from './postgres.schema.js';

/**
 * Creates the schema if missing and applies the pending migrations in ONE transaction, under a
 * transaction-scoped advisory lock keyed by the schema name: when several api/worker processes
 * start at once, the first migrates and the others wait for it, then find nothing left to do.
 * Refuses a schema written by a newer Narrate.
 */
export async function migratePostgres({ pool, schema, migrations }: { pool: Pool; schema: string; migrations: readonly Migration[] }): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`narrate:migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(`SET LOCAL search_path TO ${quoteIdent(schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS narrate_migrations (
      version    integer PRIMARY KEY,
      name       text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const { rows } = await client.query<{ v: number }>('SELECT COALESCE(MAX(version), 0)::int AS v FROM narrate_migrations');
    const found = rows[0].v;
    const newest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
    if (found > newest) {
      throw new Error(`The PostgreSQL schema "${schema}" is at version ${found}, newer than this Narrate knows (${newest}); upgrade Narrate.`);
    }
    let applied = 0;
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= found) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO narrate_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      applied += 1;
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
