import type { Database } from 'better-sqlite3';
import type { Migration } from '../store.migration.js';

/**
 * Applies the migrations newer than schema_version, each in its own IMMEDIATE transaction
 * (so a second process opening the same file waits instead of applying them twice).
 * Refuses a database written by a newer Narrate: running old code on it could corrupt it.
 */
export function migrateSqlite({ db, migrations }: { db: Database; migrations: readonly Migration[] }): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at INTEGER NOT NULL
  )`);
  const current = () => (db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_version').get() as { v: number }).v;
  const newest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  const found = current();
  if (found > newest) {
    throw new Error(`The SQLite database is at schema version ${found}, newer than this Narrate knows (${newest}); upgrade Narrate.`);
  }
  let applied = 0;
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    const apply = db.transaction(() => {
      if (current() >= migration.version) return;
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, Date.now());
      applied += 1;
    });
    apply.immediate();
  }
  return applied;
}
