import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { JobState, JobStore, ListJobsQuery } from '../store.types.js';
import { clampProgress, emptyStateCounts, rowToAccessKey, rowToDelivery, rowToJob, rowToQueueMessage } from '../store.rows.js';
import { decodePageToken, encodePageToken } from '../store.paging.js';
import { createGroupCommit } from './sqlite.group-commit.js';
import { createWorkSignal } from '../store.work-signal.js';
import { SQLITE_MIGRATIONS } from './sqlite.migrations.js';
import { migrateSqlite } from './sqlite.migrate.js';

export interface SqliteStoreOptions {
  /** The database file; its directory is created when missing. `:memory:` works for throwaway use. */
  path: string;
  /** How long a write waits for another connection's lock before failing (ms). Default 5000. */
  busyTimeoutMs?: number;
}

type Row = Record<string, unknown>;

/**
 * The embedded job store: one SQLite file, one connection, used by one process.
 *
 * Topology: the worker wake-up (waitForWork) is an in-process signal, so several processes
 * running workers on one SQLite file is NOT supported — they would only find each other's jobs
 * at the poll timeout, and SQLite serialises their writes anyway. A second process that only
 * writes now and then (the `narrate keys` CLI) is fine: WAL plus busy_timeout make it wait its turn.
 * For more than one machine or process, use PostgreSQL.
 *
 * better-sqlite3 is synchronous; the methods are async only to satisfy the port. Each call is
 * short (indexed, single-row or small batches), so blocking the event loop for it is cheaper than
 * a thread hop.
 */
export function createSqliteStore({ path, busyTimeoutMs = 5000 }: SqliteStoreOptions): JobStore {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  // WAL: readers (API lookups, a CLI) never block the writer and commits append instead of
  // rewriting pages.
  db.pragma('journal_mode = WAL');
  // FULL, not NORMAL: in WAL mode NORMAL syncs only at checkpoints, so a power cut can lose the
  // last commits. With FULL every commit fsyncs the WAL before returning, which is what lets the
  // API answer 200 to SubmitAudioProduceJob meaning "the job row is on disk". A few hundred
  // microseconds per commit is a fair price at job (not per-sentence) granularity.
  db.pragma('synchronous = FULL');
  // Another connection (the keys CLI, a backup) may hold the write lock for a moment: wait.
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  // Off by default in SQLite and per connection; job_completions relies on it for cascades.
  db.pragma('foreign_keys = ON');
  migrateSqlite({ db, migrations: SQLITE_MIGRATIONS });

  const work = createWorkSignal();
  // Submits (a nonce, then a job row) are the hot writes: batch their fsyncs.
  const groupCommit = createGroupCommit(db);
  let lastNoncePurgeMs = 0;

  const st = {
    insertJob: db.prepare(`INSERT INTO jobs (id, media_id, owner_key_id, job_type, state, title, description, user_data,
        input_text, editing_config, output_bucket, output_object, overwrite, created_at, modified_at)
      VALUES (@id, @mediaId, @ownerKeyId, 'TextToSpeech', 'Created', @title, @description, @userData,
        @inputText, @editingConfig, @outputBucket, @outputObject, @overwrite, @createdAt, @createdAt)
      RETURNING *`),
    getJob: db.prepare('SELECT * FROM jobs WHERE id = ?'),
    getJobByMedia: db.prepare('SELECT * FROM jobs WHERE media_id = ?'),
    deletePendingDeliveries: db.prepare(`DELETE FROM deliveries WHERE job_id = ? AND state = 'pending'`),
    deleteJob: db.prepare('DELETE FROM jobs WHERE id = ?'),
    countByState: db.prepare('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state'),
    // Two index-ordered candidates instead of one OR query, so a deep backlog is never sorted.
    nextCreated: db.prepare(`SELECT id, created_at FROM jobs WHERE state = 'Created' ORDER BY created_at, id LIMIT 1`),
    nextExpired: db.prepare(`SELECT id, created_at FROM jobs WHERE state = 'Executing' AND lease_expires_at <= ?
      ORDER BY created_at, id LIMIT 1`),
    claim: db.prepare(`UPDATE jobs SET state = 'Executing', lease_owner = @workerId, lease_expires_at = @expires,
        attempts = attempts + 1, modified_at = @now WHERE id = @id RETURNING *`),
    renew: db.prepare(`UPDATE jobs SET lease_expires_at = @expires, modified_at = @now, progress = COALESCE(@progress, progress)
      WHERE id = @jobId AND state = 'Executing' AND lease_owner = @workerId`),
    finish: db.prepare(`UPDATE jobs SET state = @state, result = @result, error_code = @errorCode, error_message = @errorMessage,
        progress = CASE WHEN @state = 'Finished' THEN 100 ELSE progress END,
        lease_expires_at = NULL, modified_at = @now
      WHERE id = @jobId AND state = 'Executing' AND lease_owner = @workerId RETURNING attempts`),
    insertCompletion: db.prepare(`INSERT INTO job_completions (job_id, worker_id, state, attempt, completed_at)
      VALUES (?, ?, ?, ?, ?)`),
    insertDelivery: db.prepare(`INSERT INTO deliveries (id, job_id, kind, target, body, state, attempts, next_attempt_at, created_at)
      VALUES (@id, @jobId, @kind, @target, @body, 'pending', 0, @createdAt, @createdAt)`),
    release: db.prepare(`UPDATE jobs SET lease_owner = NULL, lease_expires_at = @now, modified_at = @now
      WHERE id = @jobId AND state = 'Executing' AND lease_owner = @workerId`),
    useNonce: db.prepare(`INSERT INTO nonces (key_id, nonce, expires_at) VALUES (@keyId, @nonce, @expires)
      ON CONFLICT (key_id, nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE nonces.expires_at <= @now`),
    purgeNonces: db.prepare('DELETE FROM nonces WHERE expires_at <= ?'),
    putKey: db.prepare(`INSERT INTO access_keys (id, secret, allowed_actions, active, created_at)
      VALUES (@id, @secret, @allowedActions, @active, @createdAt)
      ON CONFLICT (id) DO UPDATE SET secret = excluded.secret, allowed_actions = excluded.allowed_actions,
        active = excluded.active, created_at = excluded.created_at`),
    getKey: db.prepare('SELECT * FROM access_keys WHERE id = ?'),
    listKeys: db.prepare('SELECT * FROM access_keys ORDER BY id'),
    dueDeliveries: db.prepare(`SELECT id FROM deliveries WHERE state = 'pending' AND next_attempt_at <= @now
        AND (lease_expires_at IS NULL OR lease_expires_at <= @now)
      ORDER BY next_attempt_at, created_at, id LIMIT @limit`),
    leaseDelivery: db.prepare(`UPDATE deliveries SET lease_owner = @workerId, lease_expires_at = @expires, attempts = attempts + 1
      WHERE id = @id RETURNING *`),
    deliveryDone: db.prepare(`UPDATE deliveries SET state = 'delivered', delivered_at = @now, lease_owner = NULL, lease_expires_at = NULL
      WHERE id = @id AND state = 'pending' AND lease_owner = @workerId`),
    deliveryRetry: db.prepare(`UPDATE deliveries SET next_attempt_at = @next, last_error = @error, lease_owner = NULL, lease_expires_at = NULL
      WHERE id = @id AND state = 'pending' AND lease_owner = @workerId`),
    deliveryDead: db.prepare(`UPDATE deliveries SET state = 'dead', last_error = @error, lease_owner = NULL, lease_expires_at = NULL
      WHERE id = @id AND state = 'pending' AND lease_owner = @workerId`),
    resend: db.prepare(`UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = @now, lease_owner = NULL,
        lease_expires_at = NULL, delivered_at = NULL WHERE id = @id`),
    sendMessage: db.prepare(`INSERT INTO queue_messages (id, queue, body, receipt_handle, receive_count, visible_at, created_at)
      VALUES (@id, @queue, @body, @handle, 0, @now, @now)`),
    visibleMessages: db.prepare(`SELECT id FROM queue_messages WHERE queue = @queue AND visible_at <= @now
      ORDER BY visible_at, created_at, id LIMIT @max`),
    hideMessage: db.prepare(`UPDATE queue_messages SET visible_at = @visibleAt, receipt_handle = @handle, receive_count = receive_count + 1
      WHERE id = @id RETURNING *`),
    deleteMessage: db.prepare('DELETE FROM queue_messages WHERE queue = ? AND receipt_handle = ?'),
    getSetting: db.prepare('SELECT value FROM settings WHERE key = ?'),
    putSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    ping: db.prepare('SELECT 1'),
  };

  // listJobs and listDeliveries vary by filter; their statements are prepared once per shape.
  const dynamic = new Map<string, Statement>();
  const prepared = (sql: string): Statement => {
    let statement = dynamic.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      dynamic.set(sql, statement);
    }
    return statement;
  };

  const claimTx = db.transaction((args: { workerId: string; leaseMs: number; nowMs: number }) => {
    const created = st.nextCreated.get() as Row | undefined;
    const expired = st.nextExpired.get(args.nowMs) as Row | undefined;
    const pick =
      created && expired
        ? Number(created.created_at) < Number(expired.created_at) ||
          (Number(created.created_at) === Number(expired.created_at) && String(created.id) < String(expired.id))
          ? created
          : expired
        : (created ?? expired);
    if (!pick) return null;
    return st.claim.get({ id: pick.id, workerId: args.workerId, expires: args.nowMs + args.leaseMs, now: args.nowMs }) as Row;
  });

  const completeTx = db.transaction((args: Parameters<JobStore['completeJob']>[0]) => {
    const { outcome } = args;
    const now = args.now.getTime();
    const finished = st.finish.get({
      jobId: args.jobId,
      workerId: args.workerId,
      now,
      state: outcome.state,
      result: outcome.state === 'Finished' ? JSON.stringify(outcome.result) : null,
      errorCode: outcome.state === 'Failed' ? outcome.errorCode : null,
      errorMessage: outcome.state === 'Failed' ? outcome.errorMessage : null,
    }) as { attempts: number } | undefined;
    if (!finished) return false;
    st.insertCompletion.run(args.jobId, args.workerId, outcome.state, finished.attempts, now);
    if (args.delivery) {
      const d = args.delivery;
      st.insertDelivery.run({ id: d.id, jobId: d.jobId, kind: d.kind, target: d.target, body: d.body, createdAt: d.createdAt.getTime() });
    }
    return true;
  });

  const deleteTx = db.transaction((ids: string[]) => {
    let deleted = 0;
    for (const id of new Set(ids)) {
      st.deletePendingDeliveries.run(id);
      deleted += st.deleteJob.run(id).changes;
    }
    return deleted;
  });

  const claimDeliveriesTx = db.transaction((args: { workerId: string; nowMs: number; limit: number; leaseMs: number }) => {
    const due = st.dueDeliveries.all({ now: args.nowMs, limit: args.limit }) as Row[];
    return due.map(
      (row) => st.leaseDelivery.get({ id: row.id, workerId: args.workerId, expires: args.nowMs + args.leaseMs }) as Row,
    );
  });

  const receiveTx = db.transaction((args: { queue: string; max: number; visibilityMs: number; nowMs: number }) => {
    const visible = st.visibleMessages.all({ queue: args.queue, now: args.nowMs, max: args.max }) as Row[];
    return visible.map(
      (row) => st.hideMessage.get({ id: row.id, visibleAt: args.nowMs + args.visibilityMs, handle: newHandle() }) as Row,
    );
  });

  function listJobs(query: ListJobsQuery) {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    if (query.ownerKeyId !== undefined) {
      where.push('owner_key_id = @owner');
      params.owner = query.ownerKeyId;
    }
    if (query.state !== undefined) {
      where.push('state = @state');
      params.state = query.state;
    }
    if (query.jobType !== undefined) {
      where.push('job_type = @jobType');
      params.jobType = query.jobType;
    }
    const filter = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = Number((prepared(`SELECT COUNT(*) AS n FROM jobs ${filter}`).get(params) as Row).n);

    const dir = query.order === 'desc' ? 'DESC' : 'ASC';
    const pageWhere = [...where];
    if (query.afterToken) {
      const cursor = decodePageToken(query.afterToken);
      // Row-value comparison keeps (created_at, id) ordering exact across equal timestamps.
      pageWhere.push(`(created_at, id) ${dir === 'ASC' ? '>' : '<'} (@cursorAt, @cursorId)`);
      params.cursorAt = cursor.createdAtMs;
      params.cursorId = cursor.id;
    }
    const limit = Math.max(0, Math.floor(query.limit));
    params.limit = limit + 1;
    params.offset = Math.max(0, Math.floor(query.offset ?? 0));
    const sql = `SELECT * FROM jobs ${pageWhere.length ? `WHERE ${pageWhere.join(' AND ')}` : ''}
      ORDER BY created_at ${dir}, id ${dir} LIMIT @limit OFFSET @offset`;
    const rows = prepared(sql).all(params) as Row[];
    const jobs = rows.slice(0, limit).map(rowToJob);
    const last = jobs[jobs.length - 1];
    const nextToken = rows.length > limit && last ? encodePageToken({ createdAtMs: last.createdAt.getTime(), id: last.id }) : null;
    return { jobs, total, nextToken };
  }

  return {
    async createJob(job) {
      const row = await groupCommit(() => st.insertJob.get({
        id: job.id,
        mediaId: job.mediaId,
        ownerKeyId: job.ownerKeyId,
        title: job.title,
        description: job.description,
        userData: job.userData,
        inputText: job.inputText,
        editingConfig: job.editingConfig,
        outputBucket: job.outputBucket,
        outputObject: job.outputObject,
        overwrite: job.overwrite ? 1 : 0,
        createdAt: job.createdAt.getTime(),
      }) as Row);
      work.raise();
      return rowToJob(row);
    },
    async getJob(id) {
      const row = st.getJob.get(id) as Row | undefined;
      return row ? rowToJob(row) : null;
    },
    async getJobByMediaId(mediaId) {
      const row = st.getJobByMedia.get(mediaId) as Row | undefined;
      return row ? rowToJob(row) : null;
    },
    async listJobs(query) {
      return listJobs(query);
    },
    async deleteJobs(ids) {
      return deleteTx.immediate(ids);
    },
    async countJobsByState() {
      const counts = emptyStateCounts();
      for (const row of st.countByState.all() as { state: JobState; n: number }[]) counts[row.state] = Number(row.n);
      return counts;
    },

    async claimJob({ workerId, leaseMs, now }) {
      // IMMEDIATE takes the write lock before reading, so no other connection can pick the same
      // candidate between our SELECT and UPDATE.
      const row = claimTx.immediate({ workerId, leaseMs, nowMs: now.getTime() });
      return row ? rowToJob(row) : null;
    },
    async renewLease({ jobId, workerId, leaseMs, now, progress }) {
      const nowMs = now.getTime();
      const info = st.renew.run({
        jobId,
        workerId,
        now: nowMs,
        expires: nowMs + leaseMs,
        progress: progress === undefined ? null : clampProgress(progress),
      });
      return info.changes === 1;
    },
    async completeJob(args) {
      const done = completeTx.immediate(args);
      if (done && args.delivery) work.raise();
      return done;
    },
    async releaseJob({ jobId, workerId, now }) {
      const info = st.release.run({ jobId, workerId, now: now.getTime() });
      // A released job is claimable at once: tell idle workers.
      if (info.changes > 0) work.raise();
    },
    waitForWork(args) {
      return work.wait(args);
    },

    async useNonce({ keyId, nonce, now, ttlMs }) {
      const nowMs = now.getTime();
      // Lazy purge, at most once a minute of store time: the upsert below already treats an
      // expired row as free, so purging is only about keeping the table small.
      if (nowMs - lastNoncePurgeMs >= 60_000 || nowMs < lastNoncePurgeMs) {
        st.purgeNonces.run(nowMs);
        lastNoncePurgeMs = nowMs;
      }
      const inserted = await groupCommit(() => st.useNonce.run({ keyId, nonce, now: nowMs, expires: nowMs + ttlMs }));
      return inserted.changes === 1;
    },

    async putAccessKey(key) {
      st.putKey.run({
        id: key.id,
        secret: key.secret,
        allowedActions: JSON.stringify(key.allowedActions),
        active: key.active ? 1 : 0,
        createdAt: key.createdAt.getTime(),
      });
    },
    async getAccessKey(id) {
      const row = st.getKey.get(id) as Row | undefined;
      return row ? rowToAccessKey(row) : null;
    },
    async listAccessKeys() {
      return (st.listKeys.all() as Row[]).map(rowToAccessKey);
    },

    async claimDeliveries({ workerId, now, limit, leaseMs }) {
      return claimDeliveriesTx.immediate({ workerId, nowMs: now.getTime(), limit, leaseMs }).map(rowToDelivery);
    },
    async recordDeliveryAttempt({ id, workerId, now, outcome }) {
      const nowMs = now.getTime();
      if (outcome.kind === 'delivered') st.deliveryDone.run({ id, workerId, now: nowMs });
      else if (outcome.kind === 'retry') st.deliveryRetry.run({ id, workerId, next: outcome.nextAttemptAt.getTime(), error: outcome.error });
      else st.deliveryDead.run({ id, workerId, error: outcome.error });
    },
    async listDeliveries({ state, jobId, limit }) {
      const where: string[] = [];
      const params: Record<string, unknown> = { limit: Math.max(0, Math.floor(limit)) };
      if (state !== undefined) {
        where.push('state = @state');
        params.state = state;
      }
      if (jobId !== undefined) {
        where.push('job_id = @jobId');
        params.jobId = jobId;
      }
      const sql = `SELECT * FROM deliveries ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY created_at, id LIMIT @limit`;
      return (prepared(sql).all(params) as Row[]).map(rowToDelivery);
    },
    async resendDelivery({ id, now }) {
      const changed = st.resend.run({ id, now: now.getTime() }).changes === 1;
      if (changed) work.raise();
      return changed;
    },

    async sendQueueMessage({ id, queue, body, now }) {
      st.sendMessage.run({ id, queue, body, handle: newHandle(), now: now.getTime() });
    },
    async receiveQueueMessages({ queue, max, visibilityMs, now }) {
      return receiveTx.immediate({ queue, max: Math.max(0, Math.floor(max)), visibilityMs, nowMs: now.getTime() }).map(rowToQueueMessage);
    },
    async deleteQueueMessage({ queue, receiptHandle }) {
      return st.deleteMessage.run(queue, receiptHandle).changes === 1;
    },

    async getSetting(key) {
      const row = st.getSetting.get(key) as { value: string } | undefined;
      return row ? row.value : null;
    },
    async putSetting(key, value) {
      st.putSetting.run(key, value);
    },

    async ping() {
      st.ping.get();
    },
    async close() {
      work.close();
      if (db.open) db.close();
    },
  };
}

/** Receipt handles are unguessable so only the receiver of the latest copy can delete it. */
function newHandle(): string {
  return randomBytes(16).toString('hex');
}
