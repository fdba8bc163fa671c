/**
 * Every write the SQLite store makes, as plain functions of plain data: they run in the writer
 * thread (sqlite.writer-thread.ts), so arguments and results must survive structured cloning
 * (strings, numbers, Dates, plain rows). Reads stay on the main thread (sqlite.store.ts). A write
 * may run twice: the group commit re-runs a batch, rolled back, when one of its writes threw
 * (sqlite.group-commit.ts), so each depends on its arguments and the database only.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { AccessKeyRecord, JobStore, NewJob, NonceUse } from '../store.types.js';
import { clampProgress } from '../store.rows.js';

type Row = Record<string, unknown>;

/** The store port's argument for a method. */
type Args<K extends keyof JobStore> = JobStore[K] extends (args: infer A) => unknown ? A : never;

export function createSqliteWrites(db: Database.Database) {
  const st = {
    insertJob: db.prepare(`INSERT INTO jobs (id, media_id, owner_key_id, job_type, state, title, description, user_data,
        input_text, editing_config, output_bucket, output_object, overwrite, created_at, modified_at)
      VALUES (@id, @mediaId, @ownerKeyId, 'TextToSpeech', 'Created', @title, @description, @userData,
        @inputText, @editingConfig, @outputBucket, @outputObject, @overwrite, @createdAt, @createdAt)`),
    deletePendingDeliveries: db.prepare(`DELETE FROM deliveries WHERE job_id = ? AND state = 'pending'`),
    deleteJob: db.prepare('DELETE FROM jobs WHERE id = ?'),
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
    // An attempt in flight keeps its lease: cleared, another worker would send the same callback
    // again alongside it. Its outcome still lands (delivered, or a retry counted from 0).
    resend: db.prepare(`UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = @now,
        lease_owner = CASE WHEN state = 'pending' AND lease_expires_at > @now THEN lease_owner END,
        lease_expires_at = CASE WHEN state = 'pending' AND lease_expires_at > @now THEN lease_expires_at END,
        delivered_at = NULL WHERE id = @id`),
    sendMessage: db.prepare(`INSERT INTO queue_messages (id, queue, body, receipt_handle, receive_count, visible_at, created_at)
      VALUES (@id, @queue, @body, @handle, 0, @now, @now)`),
    visibleMessages: db.prepare(`SELECT id FROM queue_messages WHERE queue = @queue AND visible_at <= @now
      ORDER BY visible_at, created_at, id LIMIT @max`),
    hideMessage: db.prepare(`UPDATE queue_messages SET visible_at = @visibleAt, receipt_handle = @handle, receive_count = receive_count + 1
      WHERE id = @id RETURNING *`),
    deleteMessage: db.prepare('DELETE FROM queue_messages WHERE queue = ? AND receipt_handle = ?'),
    putSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    ping: db.prepare('SELECT 1'),
  };
  let lastNoncePurgeMs = 0;

  function useNonce({ keyId, nonce, now, ttlMs }: NonceUse): boolean {
    const nowMs = now.getTime();
    // Lazy purge, at most once a minute of store time: the upsert below already treats an
    // expired row as free, so purging is only about keeping the table small (and a purge that a
    // group-commit retry rolled back is simply done a minute later).
    if (nowMs - lastNoncePurgeMs >= 60_000 || nowMs < lastNoncePurgeMs) {
      st.purgeNonces.run(nowMs);
      lastNoncePurgeMs = nowMs;
    }
    return st.useNonce.run({ keyId, nonce, now: nowMs, expires: nowMs + ttlMs }).changes === 1;
  }

  return {
    /**
     * Inserts the job; false (and nothing written) when `nonce` was already used. The caller knows
     * the row it asked for (newJobRecord), so nothing is read back across the thread boundary.
     */
    createJob({ job, nonce }: { job: NewJob; nonce?: NonceUse }): boolean {
      // Returning before the insert leaves nothing behind; an insert that throws takes the nonce
      // with it (group commit: a failed write is rolled back whole).
      if (nonce && !useNonce(nonce)) return false;
      st.insertJob.run({
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
      });
      return true;
    },
    deleteJobs(ids: string[]): number {
      let deleted = 0;
      for (const id of new Set(ids)) {
        st.deletePendingDeliveries.run(id);
        deleted += st.deleteJob.run(id).changes;
      }
      return deleted;
    },
    claimJob({ workerId, leaseMs, now }: Args<'claimJob'>): Row | null {
      const nowMs = now.getTime();
      const created = st.nextCreated.get() as Row | undefined;
      const expired = st.nextExpired.get(nowMs) as Row | undefined;
      const pick =
        created && expired
          ? Number(created.created_at) < Number(expired.created_at) ||
            (Number(created.created_at) === Number(expired.created_at) && String(created.id) < String(expired.id))
            ? created
            : expired
          : (created ?? expired);
      if (!pick) return null;
      return st.claim.get({ id: pick.id, workerId, expires: nowMs + leaseMs, now: nowMs }) as Row;
    },
    renewLease({ jobId, workerId, leaseMs, now, progress }: Args<'renewLease'>): boolean {
      const nowMs = now.getTime();
      const info = st.renew.run({ jobId, workerId, now: nowMs, expires: nowMs + leaseMs, progress: progress === undefined ? null : clampProgress(progress) });
      return info.changes === 1;
    },
    completeJob(args: Args<'completeJob'>): boolean {
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
    },
    releaseJob({ jobId, workerId, now }: Args<'releaseJob'>): boolean {
      return st.release.run({ jobId, workerId, now: now.getTime() }).changes > 0;
    },
    useNonce,
    putAccessKey(key: AccessKeyRecord): void {
      st.putKey.run({ id: key.id, secret: key.secret, allowedActions: JSON.stringify(key.allowedActions), active: key.active ? 1 : 0, createdAt: key.createdAt.getTime() });
    },
    claimDeliveries({ workerId, now, limit, leaseMs }: Args<'claimDeliveries'>): Row[] {
      const nowMs = now.getTime();
      const due = st.dueDeliveries.all({ now: nowMs, limit }) as Row[];
      return due.map((row) => st.leaseDelivery.get({ id: row.id, workerId, expires: nowMs + leaseMs }) as Row);
    },
    recordDeliveryAttempt({ id, workerId, now, outcome }: Args<'recordDeliveryAttempt'>): boolean {
      const nowMs = now.getTime();
      if (outcome.kind === 'delivered') return st.deliveryDone.run({ id, workerId, now: nowMs }).changes === 1;
      if (outcome.kind === 'retry') return st.deliveryRetry.run({ id, workerId, next: outcome.nextAttemptAt.getTime(), error: outcome.error }).changes === 1;
      return st.deliveryDead.run({ id, workerId, error: outcome.error }).changes === 1;
    },
    resendDelivery({ id, now }: Args<'resendDelivery'>): boolean {
      return st.resend.run({ id, now: now.getTime() }).changes === 1;
    },
    sendQueueMessage({ id, queue, body, now }: Args<'sendQueueMessage'>): void {
      st.sendMessage.run({ id, queue, body, handle: newHandle(), now: now.getTime() });
    },
    receiveQueueMessages({ queue, max, visibilityMs, now }: Args<'receiveQueueMessages'>): Row[] {
      const nowMs = now.getTime();
      const visible = st.visibleMessages.all({ queue, now: nowMs, max: Math.max(0, Math.floor(max)) }) as Row[];
      return visible.map((row) => st.hideMessage.get({ id: row.id, visibleAt: nowMs + visibilityMs, handle: newHandle() }) as Row);
    },
    deleteQueueMessage({ queue, receiptHandle }: Args<'deleteQueueMessage'>): boolean {
      return st.deleteMessage.run(queue, receiptHandle).changes === 1;
    },
    putSetting({ key, value }: { key: string; value: string }): void {
      st.putSetting.run(key, value);
    },
    /** Readiness: the writer answers, and its connection can read. */
    ping(_args: Record<string, never>): true {
      st.ping.get();
      return true;
    },
  };
}

export type SqliteWrites = ReturnType<typeof createSqliteWrites>;
export type SqliteWriteOp = keyof SqliteWrites;

/** Receipt handles are unguessable so only the receiver of the latest copy can delete it. */
function newHandle(): string {
  return randomBytes(16).toString('hex');
}
