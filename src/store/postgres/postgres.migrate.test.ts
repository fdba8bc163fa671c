import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createPostgresStore } from './postgres.store.js';
import { newJob } from '../store.test-suite.js';
import { dropSchema } from './postgres.test-utils.js';

/**
 * Start-up against the privileges operators actually hand out: deployment.md promises that a role
 * without CREATE on the database works once the schema is created for it and given to it.
 */
const url = process.env.NARRATE_TEST_DATABASE_URL;

if (!url) {
  console.warn('Skipping the PostgreSQL migration privilege tests: set NARRATE_TEST_DATABASE_URL to run them.');
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A login role of its own (roles are cluster-wide: the name is random) and a URL that logs in as it. */
async function newRole(): Promise<{ role: string; url: string }> {
  const role = `narrate_t_role_${randomBytes(6).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  await admin((client) => client.query(`CREATE ROLE "${role}" LOGIN PASSWORD '${password}'`));
  const asRole = new URL(url!);
  asRole.username = role;
  asRole.password = password;
  return { role, url: asRole.toString() };
}


describe.skipIf(!url)('postgres migrations and the privileges of the role', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setUp() {
    const { role, url: roleUrl } = await newRole();
    const schema = `narrate_t_priv_${randomBytes(6).toString('hex')}`;
    cleanups.push(async () => {
      await dropSchema(url!, schema);
      await admin((client) => client.query(`DROP OWNED BY "${role}"`).then(() => client.query(`DROP ROLE IF EXISTS "${role}"`)));
    });
    const canCreate = await admin(async (client) => {
      const { rows } = await client.query<{ ok: boolean }>('SELECT has_database_privilege($1, current_database(), $2) AS ok', [role, 'CREATE']);
      return rows[0].ok;
    });
    // The point of the test: this role may not create schemas in the database.
    expect(canCreate).toBe(false);
    return { role, roleUrl, schema };
  }

  /** Opens the store as the role (migrating as needed) and creates and reads back a job. */
  async function expectStoreWorksAs(roleUrl: string, schema: string) {
    const store = await createPostgresStore({ connectionString: roleUrl, schema, poolSize: 2, listen: false });
    try {
      await store.createJob(newJob(1));
      expect((await store.getJob(newJob(1).id))?.state).toBe('Created');
    } finally {
      await store.close();
    }
  }

  it('starts as the owner of a schema created for it, without CREATE on the database', async () => {
    const { role, roleUrl, schema } = await setUp();
    await admin((client) => client.query(`CREATE SCHEMA "${schema}" AUTHORIZATION "${role}"`));

    await expectStoreWorksAs(roleUrl, schema);
  });

  it('starts as a runtime role that may only use the tables of a schema an administrator migrated', async () => {
    const { role, roleUrl, schema } = await setUp();
    const migrated = await createPostgresStore({ connectionString: url!, schema, poolSize: 1, listen: false });
    await migrated.close();
    await admin(async (client) => {
      await client.query(`GRANT USAGE ON SCHEMA "${schema}" TO "${role}"`);
      await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "${schema}" TO "${role}"`);
    });

    await expectStoreWorksAs(roleUrl, schema);
  });
});
