import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { runStoreContract } from '../store.test-suite.js';
import { POSTGRES_MIGRATIONS } from './postgres.migrations.js';
import { createPostgresStore } from './postgres.store.js';
import { dropSchema, schemaFor as schemaForFile } from './postgres.test-utils.js';

const url = process.env.NARRATE_TEST_DATABASE_URL;
const FILE = 'src/store/postgres/postgres.store.test.ts';

const schemaFor = (testName: string) => schemaForFile(FILE, testName);

if (!url) {
  console.warn('Skipping the PostgreSQL store suite: set NARRATE_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run it.');
}

describe('postgres store options', () => {
  it('refuses a schema name that is not a plain identifier, before connecting', async () => {
    await expect(createPostgresStore({ connectionString: 'postgres://nobody@127.0.0.1:1/none', schema: 'x; DROP TABLE y' })).rejects.toThrow(/schema name/);
  });
});

describe.skipIf(!url)('postgres store', () => {
  if (!url) return;

  runStoreContract('postgres', async ({ testName }) => {
    const schema = schemaFor(testName);
    await dropSchema(url, schema); // a previous crashed run may have left it
    const store = await createPostgresStore({ connectionString: url, schema, poolSize: 10 });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropSchema(url, schema);
      },
    };
  });

  describe('postgres specifics', () => {
    const schemas: string[] = [];
    const fresh = async (name: string) => {
      const schema = schemaFor(name);
      schemas.push(schema);
      await dropSchema(url, schema);
      return schema;
    };
    afterAll(async () => {
      for (const schema of schemas) await dropSchema(url, schema);
    });

    it('migrates once when several processes start at the same time', async () => {
      const schema = await fresh('concurrent migrations');
      const stores = await Promise.all(Array.from({ length: 4 }, () => createPostgresStore({ connectionString: url, schema, poolSize: 2, listen: false })));
      await Promise.all(stores.map((s) => s.close()));
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query(`SELECT version FROM "${schema}".narrate_migrations ORDER BY version`);
      await client.end();
      expect(rows).toEqual(POSTGRES_MIGRATIONS.map(({ version }) => ({ version })));
    });

    it('wakes a worker in another store instance (another process) through NOTIFY, only for its own schema', async () => {
      const schema = await fresh('cross instance notify');
      const other = await fresh('cross instance notify, other schema');
      const worker = await createPostgresStore({ connectionString: url, schema, poolSize: 2 });
      const api = await createPostgresStore({ connectionString: url, schema, poolSize: 2, listen: false });
      const stranger = await createPostgresStore({ connectionString: url, schema: other, poolSize: 2, listen: false });
      try {
        const job = {
          id: 'c'.repeat(32), mediaId: 'd'.repeat(32), ownerKeyId: 'k', title: 't', description: null, userData: null,
          inputText: 'x', editingConfig: '{}', outputBucket: 'b', outputObject: 'o', overwrite: false, createdAt: new Date(0),
        };
        // A job in another schema must not wake this worker: the wait runs to its (short) timeout.
        let woke = false;
        const quiet = worker.waitForWork({ timeoutMs: 300 }).then(() => { woke = true; });
        await stranger.createJob(job);
        const wokeEarly = await Promise.race([quiet.then(() => 'settled'), new Promise((r) => setTimeout(() => r('pending'), 100))]);
        expect(wokeEarly).toBe('pending');
        await quiet;
        expect(woke).toBe(true);

        const waiting = worker.waitForWork({ timeoutMs: 60_000 });
        await api.createJob(job);
        const result = await Promise.race([waiting.then(() => 'settled'), new Promise((r) => setTimeout(() => r('guard'), 10_000))]);
        expect(result).toBe('settled');
      } finally {
        await Promise.all([worker.close(), api.close(), stranger.close()]);
      }
    });

    it('reconnects the LISTEN connection after it is killed and still wakes workers', async () => {
      const schema = await fresh('listener reconnect');
      const worker = await createPostgresStore({ connectionString: url, schema, poolSize: 2 });
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        const killed = await admin.query(
          `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE application_name = $1`,
          [`narrate-listen:${schema}`],
        );
        expect(killed.rowCount).toBeGreaterThan(0);
        // After the reconnect the listener raises once (notifications may have been missed).
        await worker.waitForWork({ timeoutMs: 20_000 });
        const job = {
          id: 'e'.repeat(32), mediaId: 'f'.repeat(32), ownerKeyId: 'k', title: 't', description: null, userData: null,
          inputText: 'x', editingConfig: '{}', outputBucket: 'b', outputObject: 'o', overwrite: false, createdAt: new Date(0),
        };
        const waiting = worker.waitForWork({ timeoutMs: 60_000 });
        await worker.createJob(job);
        const result = await Promise.race([waiting.then(() => 'settled'), new Promise((r) => setTimeout(() => r('guard'), 10_000))]);
        expect(result).toBe('settled');
      } finally {
        await admin.end();
        await worker.close();
      }
    });
  });
});
