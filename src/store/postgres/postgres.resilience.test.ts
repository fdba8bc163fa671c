import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.js';
import type { JobStore, NewJob } from '../store.types.js';
import { createWorkListener } from './postgres.listener.js';
import { createPostgresStore } from './postgres.store.js';
import { closedPort, dropSchema, schemaFor as schemaForFile, startTcpProxy, type TcpProxy } from './postgres.test-utils.js';

/**
 * A database that stops answering (a partition, a frozen server) or drops connections must make
 * store calls fail fast with ServiceUnavailable, never hang them, never crash the process, and the
 * store must recover once the database is back. PostgreSQL is real; only the network edge is faked
 * (a TCP proxy that can hang or refuse, a blackhole that accepts and never answers).
 */
const url = process.env.NARRATE_TEST_DATABASE_URL;
const FILE = 'src/store/postgres/postgres.resilience.test.ts';

const schemaFor = (testName: string) => schemaForFile(FILE, testName);

/** Which settles first: the promise, or a guard (so a hang fails the test instead of stalling it). */
async function outcome<T>(promise: Promise<T>, guardMs: number): Promise<{ kind: 'resolved'; value: T } | { kind: 'rejected'; error: unknown } | { kind: 'hung' }> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<{ kind: 'hung' }>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'hung' }), guardMs);
  });
  try {
    return await Promise.race([
      promise.then(
        (value) => ({ kind: 'resolved' as const, value }),
        (error: unknown) => ({ kind: 'rejected' as const, error }),
      ),
      guard,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function expectServiceUnavailable(result: Awaited<ReturnType<typeof outcome>>): AppError {
  expect(result.kind).toBe('rejected');
  const error = (result as { error: unknown }).error;
  expect(error).toBeInstanceOf(AppError);
  expect(error).toMatchObject({ code: 'ServiceUnavailable', httpStatus: 503 });
  expect((error as AppError).cause).toBeDefined();
  return error as AppError;
}

const newJob = (n: number): NewJob => ({
  id: `${n.toString(16)}`.padStart(32, 'a'),
  mediaId: `${n.toString(16)}`.padStart(32, 'b'),
  ownerKeyId: 'k',
  title: 't',
  description: null,
  userData: null,
  inputText: 'x',
  editingConfig: '{}',
  outputBucket: 'b',
  outputObject: `o/${n}`,
  overwrite: false,
  createdAt: new Date(n * 1000),
});

describe('postgres store against a database that does not answer (no PostgreSQL needed)', () => {
  let blackhole: TcpProxy | null = null;
  afterEach(async () => {
    await blackhole?.close();
    blackhole = null;
  });

  it('fails to start within the connect timeout with ServiceUnavailable, not a hang, and keeps the password out of the message', async () => {
    blackhole = await startTcpProxy();
    const connectionString = `postgres://narrate:sekret-pw@127.0.0.1:${blackhole.port}/narrate`;
    for (const listen of [false, true]) {
      const result = await outcome(createPostgresStore({ connectionString, schema: 'narrate_blackhole', listen, timeouts: { connectMs: 300 } }), 10_000);
      const error = expectServiceUnavailable(result);
      expect(error.message).not.toContain('sekret');
      expect(error.message).not.toContain(String(blackhole.port));
    }
    expect(blackhole.accepted.hang).toBeGreaterThanOrEqual(2);
  });

  it('fails to start with ServiceUnavailable when the connection is refused', async () => {
    const port = await closedPort();
    const result = await outcome(createPostgresStore({ connectionString: `postgres://narrate:sekret-pw@127.0.0.1:${port}/narrate`, listen: false }), 10_000);
    expectServiceUnavailable(result);
  });

  it('gives up a LISTEN connection that does not answer within its connect timeout', async () => {
    blackhole = await startTcpProxy();
    const listener = createWorkListener({
      connectionString: `postgres://narrate@127.0.0.1:${blackhole.port}/narrate`,
      schema: 'narrate_blackhole',
      onWork: () => undefined,
      connectTimeoutMs: 300,
    });
    try {
      const result = await outcome(listener.start(), 10_000);
      expect(result.kind).toBe('rejected');
      expect((result as { error: { code?: string } }).error.code).toBe('ETIMEDOUT');
    } finally {
      await listener.close();
    }
  });
});

describe.skipIf(!url)('postgres store when the database hangs or drops connections', () => {
  if (!url) return;
  const target = new URL(url);
  const schemas: string[] = [];
  const cleanups: Array<() => Promise<unknown>> = [];
  const fresh = async (name: string) => {
    const schema = schemaFor(name);
    schemas.push(schema);
    await dropSchema(url, schema);
    return schema;
  };
  const proxy = async () => {
    const p = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    cleanups.push(() => p.close());
    return p;
  };
  const open = async (options: Parameters<typeof createPostgresStore>[0]): Promise<JobStore> => {
    const store = await createPostgresStore(options);
    cleanups.push(() => store.close());
    return store;
  };
  const admin = async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    cleanups.push(() => client.end());
    return client;
  };
  afterEach(async () => {
    // Stores first (they may still talk through a proxy), then the proxies.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });
  afterAll(async () => {
    for (const schema of schemas) await dropSchema(url, schema);
  });

  it('times out a query on a connection that starts hanging with ServiceUnavailable, then recovers every pool connection', async () => {
    const schema = await fresh('query hangs mid-way');
    const edge = await proxy();
    const store = await open({ connectionString: edge.urlFor(url), schema, poolSize: 3, listen: false, timeouts: { connectMs: 500, queryMs: 1_000 } });
    await store.createJob(newJob(1));
    // Warm every pool connection, so the hang hits established connections as well as new ones.
    await Promise.all(Array.from({ length: 3 }, () => store.getJob(newJob(1).id)));

    edge.freeze(); // established connections: nothing gets through any more
    edge.mode = 'hang'; // new connections: accepted, never answered
    const during = await Promise.all(Array.from({ length: 5 }, () => outcome(store.getJob(newJob(1).id), 15_000)));
    for (const result of during) expectServiceUnavailable(result);

    // The database is reachable again (the frozen connections stay dead: they must not be reused).
    edge.mode = 'pass';
    const after = await Promise.all(Array.from({ length: 6 }, () => outcome(store.getJob(newJob(1).id), 15_000)));
    for (const result of after) {
      expect(result.kind).toBe('resolved');
      expect((result as { value: { id: string } | null }).value?.id).toBe(newJob(1).id);
    }
    expect((await outcome(store.ping(), 15_000)).kind).toBe('resolved');
  });

  it('closes within a few seconds while a query is stuck on a silent server, failing that query', async () => {
    const schema = await fresh('close while stuck');
    const edge = await proxy();
    const store = await createPostgresStore({ connectionString: edge.urlFor(url), schema, poolSize: 2, listen: false, timeouts: { connectMs: 500, queryMs: 60_000, statementMs: 55_000 } });
    await store.createJob(newJob(1));
    edge.freeze();
    const stuck = outcome(store.getJob(newJob(1).id), 20_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Before, pool.end() waited for the checked-out connection: as long as the query's own timeout.
    expect((await outcome(store.close(), 10_000)).kind).toBe('resolved');
    expect((await stuck).kind).toBe('rejected');
  });

  it('survives a connection killed while it is checked out in a transaction, and the next call succeeds', async () => {
    const schema = await fresh('terminate inside transaction');
    const store = await open({ connectionString: url, schema, poolSize: 2, listen: false });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const job = newJob(2);
      await store.createJob(job);
      expect(await store.claimJob({ workerId: 'w', leaseMs: 600_000, now: new Date(10_000) })).toMatchObject({ id: job.id });

      // Hold the job's row lock, so completeJob's transaction stops inside, on a checked-out connection.
      const locker = await admin();
      await locker.query('BEGIN');
      await locker.query(`SELECT id FROM "${schema}".jobs WHERE id = $1 FOR UPDATE`, [job.id]);
      const completing = outcome(
        store.completeJob({ jobId: job.id, workerId: 'w', now: new Date(20_000), outcome: { state: 'Failed', errorCode: 'X', errorMessage: 'y' } }),
        15_000,
      );
      const waiting = async () =>
        (await locker.query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [`narrate:${schema}`])).rowCount === 1;
      await waitUntil('completeJob waits for the row lock', waiting);
      const killed = await locker.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'`, [
        `narrate:${schema}`,
      ]);
      expect(killed.rowCount).toBe(1);

      const failed = await completing;
      await locker.query('ROLLBACK');
      // Give a late 'error' event (the socket closing after the FATAL message) time to surface.
      await new Promise((resolve) => setTimeout(resolve, 300));
      // Without an 'error' listener on the checked-out client this is "Unhandled 'error' event": a crash.
      expect(uncaught.map((error) => (error instanceof Error ? error.message : String(error)))).toEqual([]);
      expectServiceUnavailable(failed);

      // The next calls succeed (the killed connection is not handed out again); the lease is still ours.
      const again = await outcome(
        store.completeJob({ jobId: job.id, workerId: 'w', now: new Date(21_000), outcome: { state: 'Failed', errorCode: 'X', errorMessage: 'y' } }),
        15_000,
      );
      expect(again).toEqual({ kind: 'resolved', value: true });
      expect(await store.getJob(job.id)).toMatchObject({ state: 'Failed' });
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });

  it('reports a pool connection killed while idle through onError, and carries on', async () => {
    const schema = await fresh('idle pool connection killed');
    const background: Error[] = [];
    const store = await open({ connectionString: url, schema, poolSize: 2, listen: false, onError: (error) => background.push(error) });
    await store.ping();
    const locker = await admin();
    const killed = await locker.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [`narrate:${schema}`]);
    expect(killed.rowCount).toBeGreaterThan(0);
    await waitUntil('onError hears of it', () => background.length > 0);
    expect(await outcome(store.ping(), 15_000)).toEqual({ kind: 'resolved', value: undefined });
  });

  it('retries a LISTEN reconnect that hangs, and wakes workers once the database answers again', async () => {
    const schema = await fresh('listener reconnect hangs');
    const edge = await proxy();
    const background: Error[] = [];
    const worker = await open({
      connectionString: edge.urlFor(url),
      schema,
      poolSize: 2,
      onError: (error) => background.push(error),
      timeouts: { connectMs: 400, listenHeartbeatMs: 0 },
    });
    const api = await open({ connectionString: url, schema, poolSize: 2, listen: false });
    const locker = await admin();

    edge.mode = 'hang'; // new connections hang; the established ones keep working
    const killed = await locker.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [`narrate-listen:${schema}`]);
    expect(killed.rowCount).toBe(1);
    // One hung attempt, given up, then another: the reconnect loop keeps going.
    await waitUntil('the listener retries after a hung reconnect attempt', () => edge.accepted.hang >= 2);
    edge.mode = 'pass';

    // After the reconnect the listener raises once (notifications may have been missed)...
    expect((await outcome(worker.waitForWork({ timeoutMs: 60_000 }), 20_000)).kind).toBe('resolved');
    // ...and from then on a new job wakes the worker.
    const waiting = outcome(worker.waitForWork({ timeoutMs: 60_000 }), 10_000);
    await api.createJob(newJob(3));
    expect((await waiting).kind).toBe('resolved');
    expect(background.length).toBeGreaterThan(0); // the drop and the timed-out attempts were reported
  });

  it('replaces a LISTEN connection that hangs without dropping (heartbeat), and wakes workers again', async () => {
    const schema = await fresh('listener connection hangs');
    const edge = await proxy();
    const worker = await open({ connectionString: edge.urlFor(url), schema, poolSize: 2, timeouts: { connectMs: 400, listenHeartbeatMs: 300 } });
    const api = await open({ connectionString: url, schema, poolSize: 2, listen: false });

    edge.freeze(); // the LISTEN connection stays open but nothing gets through; new connections pass
    expect((await outcome(worker.waitForWork({ timeoutMs: 60_000 }), 20_000)).kind).toBe('resolved');
    const waiting = outcome(worker.waitForWork({ timeoutMs: 60_000 }), 10_000);
    await api.createJob(newJob(4));
    expect((await waiting).kind).toBe('resolved');
  });
});
