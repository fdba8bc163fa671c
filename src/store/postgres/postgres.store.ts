import pg from 'pg';
import type { PoolClient, QueryConfig, QueryResultRow } from 'pg';
import { errors } from '../../shared/errors.js';
import type { JobState, JobStore, ListJobsQuery } from '../store.types.js';
import { clampProgress, emptyStateCounts, rowToAccessKey, rowToDelivery, rowToJob, rowToQueueMessage } from '../store.rows.js';
import { decodePageToken, encodePageToken } from '../store.paging.js';
import { createWorkSignal } from '../store.work-signal.js';
import { POSTGRES_MIGRATIONS } from './postgres.migrations.js';
import { migratePostgres } from './postgres.migrate.js';
import { createWorkListener, destroyClient, type WorkListener } from './postgres.listener.js';
import { isConnectionError, toStoreError } from './postgres.errors.js';
import { assertSchemaName, WORK_CHANNEL } from './postgres.schema.js';
import { withDeadline } from '../../shared/timers.js';

export interface PostgresStoreOptions {
  /** postgres:// or postgresql:// URL. */
  connectionString: string;
  /** All tables live in this schema, created when missing. Default `narrate`. */
  schema?: string;
  /** Pool size per process. Default 10. */
  poolSize?: number;
  /**
   * Hold a LISTEN connection so waitForWork wakes on NOTIFY. Default true; processes that never
   * call waitForWork (api only) may pass false to save the connection.
   */
  listen?: boolean;
  /** Background connection errors (idle pool clients, the LISTEN connection); for logging. */
  onError?: (error: Error) => void;
  /** How long to wait for a database that does not answer; every field has a default (see PostgresTimeouts). */
  timeouts?: Partial<PostgresTimeouts>;
}

/**
 * Without these a database host that accepts TCP and then never answers (a partition, a frozen
 * server) hangs every caller for good. A failure to connect or to answer in time surfaces as
 * ServiceUnavailable (postgres.errors.ts) and the connection is destroyed, never reused.
 */
export interface PostgresTimeouts {
  /**
   * Opening a connection (TCP, start-up, authentication), and waiting for a free pool connection
   * when all are busy. Also bounds the LISTEN connection's connect + LISTEN and its heartbeat.
   * Default 5000.
   */
  connectMs: number;
  /**
   * Server-side statement_timeout for the store's queries. They are all short, index-driven
   * OLTP statements (the largest are listJobs' COUNT(*) over one owner's jobs and the nonce purge);
   * 30 s leaves a wide margin. Migrations run under migrationMs instead. 0 disables. Default 30000.
   */
  statementMs: number;
  /**
   * Client-side: how long a query may go without an answer before the connection is given up
   * (destroyed) and the call fails. Catches the hung connection the server cannot time out
   * itself; a little longer than statementMs so the server normally answers first. 0 disables.
   * Default statementMs + 5000 (35000).
   */
  queryMs: number;
  /**
   * Server-side idle_in_transaction_session_timeout: a process that stalls or vanishes inside a
   * transaction (holding row locks on jobs) is cut off after this. The store's transactions take
   * milliseconds. 0 disables. Default 60000.
   */
  idleInTransactionMs: number;
  /**
   * Migrations, and waiting behind another process's migration (advisory lock), at start-up.
   * Default 600000 (10 minutes): a future migration that rewrites or indexes a big table may be slow.
   */
  migrationMs: number;
  /** TCP keep-alive on every connection: first probe after this much silence. Default 10000. */
  keepAliveDelayMs: number;
  /** The LISTEN connection is checked with SELECT 1 this often (ms); 0 disables. Default 30000. */
  listenHeartbeatMs: number;
}

export function resolvePostgresTimeouts(timeouts: Partial<PostgresTimeouts> = {}): PostgresTimeouts {
  const statementMs = timeouts.statementMs ?? 30_000;
  return {
    connectMs: timeouts.connectMs ?? 5_000,
    statementMs,
    queryMs: timeouts.queryMs ?? (statementMs > 0 ? statementMs + 5_000 : 35_000),
    idleInTransactionMs: timeouts.idleInTransactionMs ?? 60_000,
    migrationMs: timeouts.migrationMs ?? 600_000,
    keepAliveDelayMs: timeouts.keepAliveDelayMs ?? 10_000,
    listenHeartbeatMs: timeouts.listenHeartbeatMs ?? 30_000,
  };
}

type Row = Record<string, unknown>;

/** The columns a new job sets, and their values from createJob's parameters $1–$12. */
const JOB_INSERT_COLUMNS = `(id, media_id, owner_key_id, job_type, state, title, description, user_data,
  input_text, editing_config, output_bucket, output_object, overwrite, created_at, modified_at)`;
const JOB_INSERT_ROW = `$1, $2, $3, 'TextToSpeech', 'Created', $4, $5, $6, $7, $8, $9, $10, $11, $12, $12`;

/**
 * The shared job store: many api and worker processes on many machines, one PostgreSQL database.
 * Migrates on start (safely when several processes start at once), then resolves.
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<JobStore> {
  const schema = assertSchemaName(options.schema ?? 'narrate');
  const onError = options.onError ?? (() => undefined);
  const timeouts = resolvePostgresTimeouts(options.timeouts);
  const positive = (ms: number) => (ms > 0 ? Math.floor(ms) : undefined);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolSize ?? 10,
    application_name: `narrate:${schema}`,
    // Set at connection start-up by the server itself, so no query can ever run before it
    // (a pool 'connect' handler races with the first query).
    options: `-c search_path=${schema}`,
    // pg's default for each of these is "wait forever".
    connectionTimeoutMillis: timeouts.connectMs,
    query_timeout: positive(timeouts.queryMs),
    statement_timeout: positive(timeouts.statementMs),
    idle_in_transaction_session_timeout: positive(timeouts.idleInTransactionMs),
    keepAlive: true,
    keepAliveInitialDelayMillis: timeouts.keepAliveDelayMs,
  });
  // Without a listener an idle client's network error would crash the process.
  pool.on('error', (error) => onError(error));
  // Every open pool connection, so close() can destroy those whose graceful end hangs.
  const connections = new Set<PoolClient>();
  pool.on('connect', (client) => connections.add(client));
  pool.on('remove', (client) => connections.delete(client));

  const work = createWorkSignal();
  let listener: WorkListener | null = null;
  try {
    await migratePostgres({ pool, schema, migrations: POSTGRES_MIGRATIONS, timeoutMs: timeouts.migrationMs });
    if (options.listen !== false) {
      listener = createWorkListener({
        connectionString: options.connectionString,
        schema,
        onWork: () => work.raise(),
        onError,
        connectTimeoutMs: timeouts.connectMs,
        heartbeatMs: timeouts.listenHeartbeatMs,
        keepAliveDelayMs: timeouts.keepAliveDelayMs,
      });
      await listener.start();
    }
  } catch (error) {
    await listener?.close();
    await endPool();
    throw toStoreError(error);
  }

  /**
   * pool.end() ends idle connections gracefully, which a hung server never completes, and waits for
   * checked-out ones, which a query stuck on a silent server holds for its whole timeout: after a
   * grace period every connection left is destroyed (its query fails, its caller gets a 503).
   */
  async function endPool(): Promise<void> {
    await withDeadline(pool.end(), 2_000, () => new Error('pool.end() took too long')).catch(() => undefined);
    const deadline = Date.now() + 1_000;
    while (connections.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    for (const client of connections) destroyClient(client);
    connections.clear();
  }

  /** Every store query goes through here (or tx): connection-class failures become ServiceUnavailable. */
  async function run<R extends QueryResultRow = Row>(config: QueryConfig, client?: PoolClient) {
    try {
      return await (client ?? pool).query<R>(config);
    } catch (error) {
      throw toStoreError(error);
    }
  }

  /** Fixed statements are named, so each pooled connection prepares them once. */
  async function q<R extends QueryResultRow = Row>(name: string, text: string, values: unknown[], client?: PoolClient) {
    return run<R>({ name, text, values }, client);
  }

  async function tx<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw toStoreError(error);
    }
    // pg-pool listens for errors on idle clients only. A checked-out connection killed between
    // statements (pg_terminate_backend, a failover) emits 'error', which without a listener
    // crashes the process; the failure still reaches us through the next query.
    let broken: Error | undefined;
    const onClientError = (error: Error) => {
      broken ??= error;
    };
    client.on('error', onClientError);
    try {
      await client.query('BEGIN');
      const value = await fn(client);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      if (broken || isConnectionError(error)) {
        // Gone or hung: a ROLLBACK would only queue behind it. Destroying the connection rolls back.
        broken ??= error instanceof Error ? error : new Error(String(error));
      } else {
        await client.query('ROLLBACK').catch((rollbackError: Error) => {
          broken ??= rollbackError;
        });
      }
      throw toStoreError(error);
    } finally {
      client.removeListener('error', onClientError);
      // With an error the pool destroys the connection instead of handing it out again.
      client.release(broken);
    }
  }

  let lastNoncePurgeMs = 0;
  let closed = false;
  const later = (now: Date, ms: number) => new Date(now.getTime() + ms);

  /**
   * At most once a minute of store time per process; the nonce upserts already treat an expired
   * row as free, so purging only keeps the table small.
   */
  async function purgeNoncesLazily(now: Date): Promise<void> {
    if (now.getTime() - lastNoncePurgeMs < 60_000 && now.getTime() >= lastNoncePurgeMs) return;
    lastNoncePurgeMs = now.getTime();
    await q('narrate_purge_nonces', 'DELETE FROM nonces WHERE expires_at <= $1', [now]);
  }

  async function listJobs(query: ListJobsQuery) {
    const where: string[] = [];
    const values: unknown[] = [];
    const param = (value: unknown) => {
      values.push(value);
      return `$${values.length}`;
    };
    if (query.ownerKeyId !== undefined) where.push(`owner_key_id = ${param(query.ownerKeyId)}`);
    if (query.state !== undefined) where.push(`state = ${param(query.state)}`);
    if (query.jobType !== undefined) where.push(`job_type = ${param(query.jobType)}`);
    const filterValues = [...values];
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';

    const dir = query.order === 'desc' ? 'DESC' : 'ASC';
    if (query.afterToken) {
      const cursor = decodePageToken(query.afterToken);
      // Row-value comparison keeps (created_at, id) ordering exact across equal timestamps.
      where.push(`(created_at, id) ${dir === 'ASC' ? '>' : '<'} (${param(new Date(cursor.createdAtMs))}, ${param(cursor.id)})`);
    }
    const limit = Math.max(0, Math.floor(query.limit));
    const sql = `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at ${dir}, id ${dir} LIMIT ${param(limit + 1)} OFFSET ${param(Math.max(0, Math.floor(query.offset ?? 0)))}`;
    const [count, page] = await Promise.all([
      run<{ n: number }>({ text: `SELECT COUNT(*)::int AS n FROM jobs ${filter}`, values: filterValues }),
      run<Row>({ text: sql, values }),
    ]);
    const jobs = page.rows.slice(0, limit).map(rowToJob);
    const last = jobs[jobs.length - 1];
    const nextToken = page.rows.length > limit && last ? encodePageToken({ createdAtMs: last.createdAt.getTime(), id: last.id }) : null;
    return { jobs, total: count.rows[0].n, nextToken };
  }

  return {
    async createJob(job, options) {
      // $1–$12 the job, $13–$14 the NOTIFY, which rides in the same statement so it is sent
      // exactly when the row commits.
      const values: unknown[] = [job.id, job.mediaId, job.ownerKeyId, job.title, job.description, job.userData, job.inputText,
        job.editingConfig, job.outputBucket, job.outputObject, job.overwrite, job.createdAt, WORK_CHANNEL, schema];
      const nonce = options?.nonce;
      if (!nonce) {
        const { rows } = await q(
          'narrate_create_job',
          `WITH ins AS (INSERT INTO jobs ${JOB_INSERT_COLUMNS} VALUES (${JOB_INSERT_ROW}) RETURNING *)
           SELECT ins.*, pg_notify($13, $14) FROM ins`,
          values,
        );
        return rowToJob(rows[0]);
      }
      await purgeNoncesLazily(nonce.now);
      // One statement: the job row exists only if the nonce was fresh, and both commit together.
      const { rows } = await q(
        'narrate_create_job_with_nonce',
        `WITH n AS (
           INSERT INTO nonces (key_id, nonce, expires_at) VALUES ($15, $16, $17)
           ON CONFLICT (key_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE nonces.expires_at <= $18
           RETURNING 1),
         ins AS (INSERT INTO jobs ${JOB_INSERT_COLUMNS} SELECT ${JOB_INSERT_ROW} WHERE EXISTS (SELECT 1 FROM n) RETURNING *)
         SELECT ins.*, pg_notify($13, $14) FROM ins`,
        [...values, nonce.keyId, nonce.nonce, later(nonce.now, nonce.ttlMs), nonce.now],
      );
      if (!rows[0]) throw errors.nonceUsed();
      return rowToJob(rows[0]);
    },
    async getJob(id) {
      const { rows } = await q('narrate_get_job', 'SELECT * FROM jobs WHERE id = $1', [id]);
      return rows[0] ? rowToJob(rows[0]) : null;
    },
    async getJobByMediaId(mediaId) {
      const { rows } = await q('narrate_get_job_by_media', 'SELECT * FROM jobs WHERE media_id = $1', [mediaId]);
      return rows[0] ? rowToJob(rows[0]) : null;
    },
    async findFinishedJobsByOutput({ bucket, objects, limit }) {
      if (objects.length === 0) return [];
      const { rows } = await q(
        'narrate_finished_by_output',
        `SELECT * FROM jobs WHERE state = 'Finished' AND output_bucket = $1 AND output_object = ANY($2::text[]) ORDER BY modified_at DESC LIMIT $3`,
        [bucket, objects, limit],
      );
      return rows.map(rowToJob);
    },
    listJobs,
    async deleteJobs(ids) {
      if (ids.length === 0) return 0;
      return tx(async (client) => {
        await client.query(`DELETE FROM deliveries WHERE job_id = ANY($1::text[]) AND state = 'pending'`, [ids]);
        const result = await client.query('DELETE FROM jobs WHERE id = ANY($1::text[])', [ids]);
        return result.rowCount ?? 0;
      });
    },
    async countJobsByState() {
      const counts = emptyStateCounts();
      const { rows } = await q<{ state: JobState; n: number }>('narrate_count_jobs', 'SELECT state, COUNT(*)::int AS n FROM jobs GROUP BY state', []);
      for (const row of rows) counts[row.state] = row.n;
      return counts;
    },

    async claimJob({ workerId, leaseMs, now }) {
      // One statement, so no explicit transaction: each branch locks its oldest candidate with
      // SKIP LOCKED (concurrent claimers step over each other instead of queueing), the older of
      // the two wins. Two index-ordered branches rather than an OR, so a backlog is never sorted.
      const { rows } = await q(
        'narrate_claim_job',
        `WITH created AS (
           SELECT id, created_at FROM jobs WHERE state = 'Created'
           ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
         ), expired AS (
           SELECT id, created_at FROM jobs WHERE state = 'Executing' AND lease_expires_at <= $1
           ORDER BY created_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
         ), pick AS (
           SELECT id FROM (SELECT * FROM created UNION ALL SELECT * FROM expired) c ORDER BY created_at, id LIMIT 1
         )
         UPDATE jobs j SET state = 'Executing', lease_owner = $2, lease_expires_at = $3, attempts = j.attempts + 1, modified_at = $1
         FROM pick WHERE j.id = pick.id
         RETURNING j.*`,
        [now, workerId, later(now, leaseMs)],
      );
      return rows[0] ? rowToJob(rows[0]) : null;
    },
    async renewLease({ jobId, workerId, leaseMs, now, progress }) {
      const result = await q(
        'narrate_renew_lease',
        `UPDATE jobs SET lease_expires_at = $1, modified_at = $2, progress = COALESCE($3, progress)
         WHERE id = $4 AND state = 'Executing' AND lease_owner = $5`,
        [later(now, leaseMs), now, progress === undefined ? null : clampProgress(progress), jobId, workerId],
      );
      return result.rowCount === 1;
    },
    async completeJob({ jobId, workerId, now, outcome, delivery }) {
      return tx(async (client) => {
        // The lease owner, not the clock, decides: a worker whose lease was re-claimed by another
        // no longer matches lease_owner and cannot finish the job.
        const finished = await q<{ attempts: number }>(
          'narrate_finish_job',
          `UPDATE jobs SET state = $1::text, result = $2, error_code = $3, error_message = $4,
             progress = CASE WHEN $1::text = 'Finished' THEN 100 ELSE progress END,
             lease_expires_at = NULL, modified_at = $5
           WHERE id = $6 AND state = 'Executing' AND lease_owner = $7
           RETURNING attempts`,
          [
            outcome.state,
            outcome.state === 'Finished' ? JSON.stringify(outcome.result) : null,
            outcome.state === 'Failed' ? outcome.errorCode : null,
            outcome.state === 'Failed' ? outcome.errorMessage : null,
            now,
            jobId,
            workerId,
          ],
          client,
        );
        if (finished.rowCount !== 1) return false;
        await q(
          'narrate_insert_completion',
          'INSERT INTO job_completions (job_id, worker_id, state, attempt, completed_at) VALUES ($1, $2, $3, $4, $5)',
          [jobId, workerId, outcome.state, finished.rows[0].attempts, now],
          client,
        );
        if (delivery) {
          await q(
            'narrate_insert_delivery',
            `INSERT INTO deliveries (id, job_id, kind, target, body, state, attempts, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, $6)`,
            [delivery.id, delivery.jobId, delivery.kind, delivery.target, delivery.body, delivery.createdAt],
            client,
          );
          await q('narrate_notify', 'SELECT pg_notify($1, $2)', [WORK_CHANNEL, schema], client);
        }
        return true;
      });
    },
    async releaseJob({ jobId, workerId, now }) {
      await q(
        'narrate_release_job',
        `WITH r AS (
           UPDATE jobs SET lease_owner = NULL, lease_expires_at = $1, modified_at = $1
           WHERE id = $2 AND state = 'Executing' AND lease_owner = $3 RETURNING id)
         SELECT pg_notify($4, $5) FROM r`,
        [now, jobId, workerId, WORK_CHANNEL, schema],
      );
    },
    waitForWork(args) {
      return work.wait(args);
    },

    async useNonce({ keyId, nonce, now, ttlMs }) {
      await purgeNoncesLazily(now);
      const result = await q(
        'narrate_use_nonce',
        `INSERT INTO nonces (key_id, nonce, expires_at) VALUES ($1, $2, $3)
         ON CONFLICT (key_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE nonces.expires_at <= $4`,
        [keyId, nonce, later(now, ttlMs), now],
      );
      return result.rowCount === 1;
    },

    async putAccessKey(key) {
      await q(
        'narrate_put_key',
        `INSERT INTO access_keys (id, secret, allowed_actions, active, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET secret = EXCLUDED.secret, allowed_actions = EXCLUDED.allowed_actions,
           active = EXCLUDED.active, created_at = EXCLUDED.created_at`,
        [key.id, key.secret, JSON.stringify(key.allowedActions), key.active, key.createdAt],
      );
    },
    async getAccessKey(id) {
      const { rows } = await q('narrate_get_key', 'SELECT * FROM access_keys WHERE id = $1', [id]);
      return rows[0] ? rowToAccessKey(rows[0]) : null;
    },
    async listAccessKeys() {
      const { rows } = await q('narrate_list_keys', 'SELECT * FROM access_keys ORDER BY id', []);
      return rows.map(rowToAccessKey);
    },

    async claimDeliveries({ workerId, now, limit, leaseMs }) {
      const { rows } = await q(
        'narrate_claim_deliveries',
        `WITH due AS (
           SELECT id FROM deliveries
           WHERE state = 'pending' AND next_attempt_at <= $1 AND (lease_expires_at IS NULL OR lease_expires_at <= $1)
           ORDER BY next_attempt_at, created_at, id LIMIT $2 FOR UPDATE SKIP LOCKED)
         UPDATE deliveries d SET lease_owner = $3, lease_expires_at = $4, attempts = d.attempts + 1
         FROM due WHERE d.id = due.id
         RETURNING d.*`,
        [now, Math.max(0, Math.floor(limit)), workerId, later(now, leaseMs)],
      );
      return rows.map(rowToDelivery).sort(
        (a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime() || a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1),
      );
    },
    async recordDeliveryAttempt({ id, workerId, now, outcome }) {
      const owned = `WHERE id = $1 AND state = 'pending' AND lease_owner = $2`;
      let result;
      if (outcome.kind === 'delivered') {
        result = await q('narrate_delivery_done', `UPDATE deliveries SET state = 'delivered', delivered_at = $3, lease_owner = NULL, lease_expires_at = NULL ${owned}`, [id, workerId, now]);
      } else if (outcome.kind === 'retry') {
        result = await q(
          'narrate_delivery_retry',
          `UPDATE deliveries SET next_attempt_at = $3, last_error = $4, lease_owner = NULL, lease_expires_at = NULL ${owned}`,
          [id, workerId, outcome.nextAttemptAt, outcome.error],
        );
      } else {
        result = await q('narrate_delivery_dead', `UPDATE deliveries SET state = 'dead', last_error = $3, lease_owner = NULL, lease_expires_at = NULL ${owned}`, [id, workerId, outcome.error]);
      }
      return result.rowCount === 1;
    },
    async listDeliveries({ state, jobId, limit }) {
      const { rows } = await q(
        'narrate_list_deliveries',
        `SELECT * FROM deliveries WHERE ($1::text IS NULL OR state = $1) AND ($2::text IS NULL OR job_id = $2)
         ORDER BY created_at, id LIMIT $3`,
        [state ?? null, jobId ?? null, Math.max(0, Math.floor(limit))],
      );
      return rows.map(rowToDelivery);
    },
    async resendDelivery({ id, now }) {
      const { rowCount } = await q(
        'narrate_resend_delivery',
        `WITH r AS (
           UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = $1,
             -- An attempt in flight keeps its lease, so no other worker sends the same callback alongside it.
             lease_owner = CASE WHEN state = 'pending' AND lease_expires_at > $1 THEN lease_owner END,
             lease_expires_at = CASE WHEN state = 'pending' AND lease_expires_at > $1 THEN lease_expires_at END,
             delivered_at = NULL
           WHERE id = $2 RETURNING id)
         SELECT pg_notify($3, $4) FROM r`,
        [now, id, WORK_CHANNEL, schema],
      );
      return rowCount === 1;
    },

    async sendQueueMessage({ id, queue, body, now }) {
      await q(
        'narrate_send_message',
        `INSERT INTO queue_messages (id, queue, body, receipt_handle, receive_count, visible_at, created_at)
         VALUES ($1, $2, $3, gen_random_uuid()::text, 0, $4, $4)`,
        [id, queue, body, now],
      );
    },
    async receiveQueueMessages({ queue, max, visibilityMs, now }) {
      const { rows } = await q(
        'narrate_receive_messages',
        `WITH picked AS (
           SELECT id, visible_at FROM queue_messages WHERE queue = $1 AND visible_at <= $2
           ORDER BY visible_at, created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED),
         upd AS (
           UPDATE queue_messages m SET visible_at = $4, receipt_handle = gen_random_uuid()::text, receive_count = m.receive_count + 1
           FROM picked WHERE m.id = picked.id
           RETURNING m.*, picked.visible_at AS was_visible_at)
         SELECT * FROM upd ORDER BY was_visible_at, created_at, id`,
        [queue, now, Math.max(0, Math.floor(max)), later(now, visibilityMs)],
      );
      return rows.map(rowToQueueMessage);
    },
    async deleteQueueMessage({ queue, receiptHandle }) {
      const { rowCount } = await q('narrate_delete_message', 'DELETE FROM queue_messages WHERE queue = $1 AND receipt_handle = $2', [queue, receiptHandle]);
      return rowCount === 1;
    },

    async getSetting(key) {
      const { rows } = await q<{ value: string }>('narrate_get_setting', 'SELECT value FROM settings WHERE key = $1', [key]);
      return rows[0] ? rows[0].value : null;
    },
    async putSetting(key, value) {
      await q('narrate_put_setting', 'INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [key, value]);
    },

    async ping() {
      await run({ text: 'SELECT 1' });
    },
    async close() {
      if (closed) return;
      closed = true;
      work.close();
      await listener?.close();
      await endPool();
    },
  };
}
