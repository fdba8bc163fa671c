import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createStore, isPostgresUrl } from './create-store.js';

const url = process.env.NARRATE_TEST_DATABASE_URL;

describe('createStore', () => {
  it('opens SQLite at <dataDir>/narrate.db when no postgres URL is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'narrate-create-store-'));
    try {
      const store = await createStore({ dataDir: join(dir, 'data') });
      await store.putSetting('k', 'v');
      await store.close();
      expect(existsSync(join(dir, 'data', 'narrate.db'))).toBe(true);
      const again = await createStore({ dataDir: join(dir, 'data'), databaseUrl: null });
      expect(await again.getSetting('k')).toBe('v');
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('recognises postgres URLs', () => {
    expect(isPostgresUrl('postgres://u@h/db')).toBe(true);
    expect(isPostgresUrl('postgresql://u@h/db')).toBe(true);
    expect(isPostgresUrl('mysql://u@h/db')).toBe(false);
    expect(isPostgresUrl(undefined)).toBe(false);
  });

  it.skipIf(!url)('opens PostgreSQL in the given schema for a postgres URL', async () => {
    const schema = 'narrate_t_create_store';
    const store = await createStore({ dataDir: '/nonexistent', databaseUrl: url!, schema, listen: false });
    try {
      await store.putSetting('k', 'v');
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query(`SELECT value FROM "${schema}".settings WHERE key = 'k'`);
      await client.query(`DROP SCHEMA "${schema}" CASCADE`);
      await client.end();
      expect(rows).toEqual([{ value: 'v' }]);
    } finally {
      await store.close();
    }
  });
});
