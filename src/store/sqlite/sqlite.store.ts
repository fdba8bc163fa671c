import type { Statement } from 'better-sqlite3';
import { errors } from '../../shared/errors.js';
import type { JobState, JobStore, ListJobsQuery } from '../store.types.js';
import { emptyStateCounts, newJobRecord, rowToAccessKey, rowToDelivery, rowToJob, rowToQueueMessage } from '../store.rows.js';
import { decodePageToken, encodePageToken } from '../store.paging.js';
import { createWorkSignal } from '../store.work-signal.js';
import { openSqliteConnection, type SqliteConnectionOptions } from './sqlite.connection.js';
import { SQLITE_MIGRATIONS } from './sqlite.migrations.js';
import { migrateSqlite } from './sqlite.migrate.js';
import { createInlineSqliteWriter, startSqliteWriterThread } from './sqlite.writer.js';

export type SqliteStoreOptions = SqliteConnectionOptions;

type Row = Record<string, unknown>;

/**
 * The embedded job store: one SQLite file used by one process, through two connections: reads
 * on the calling thread (short, indexed, and WAL readers never wait for the writer), and every
 * write in a writer thread (sqlite.writer.ts), so commits and their fsyncs never block the event
 * loop. A write resolves after its commit, and a read started after that sees it.
 *
 * Topology: the worker wake-up (waitForWork) is an in-process signal, so several processes
 * running workers on one SQLite file is NOT supported — they would only find each other's jobs
 * at the poll timeout, and SQLite serialises their writes anyway. A second process that only
 * writes now and then (the `narrate keys` CLI) is fine: WAL plus busy_timeout make it wait its turn.
 * For more than one machine or process, use PostgreSQL.
 */
export function createSqliteStore(options: SqliteStoreOptions): JobStore {
  const db = openSqliteConnection(options);
  migrateSqlite({ db, migrations: SQLITE_MIGRATIONS });
  const writer = options.path === ':memory:' ? createInlineSqliteWriter(db) : startSqliteWriterThread(options);
  const work = createWorkSignal();

  const st = {
    getJob: db.prepare('SELECT * FROM jobs WHERE id = ?'),
    getJobByMedia: db.prepare('SELECT * FROM jobs WHERE media_id = ?'),
    // Two objects at most (the key with and without its extension); jobs_finished_output serves it.
    finishedByOutput: db.prepare(`SELECT * FROM jobs WHERE state = 'Finished' AND output_bucket = ? AND output_object IN (?, ?)
      ORDER BY modified_at DESC LIMIT ?`),
    countByState: db.prepare('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state'),
    getKey: db.prepare('SELECT * FROM access_keys WHERE id = ?'),
    listKeys: db.prepare('SELECT * FROM access_keys ORDER BY id'),
    getSetting: db.prepare('SELECT value FROM settings WHERE key = ?'),
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
    async createJob(job, options) {
      const created = await writer.call('createJob', { job, nonce: options?.nonce });
      if (!created) throw errors.nonceUsed();
      work.raise();
      return newJobRecord(job);
    },
    async getJob(id) {
      const row = st.getJob.get(id) as Row | undefined;
      return row ? rowToJob(row) : null;
    },
    async getJobByMediaId(mediaId) {
      const row = st.getJobByMedia.get(mediaId) as Row | undefined;
      return row ? rowToJob(row) : null;
    },
    async findFinishedJobsByOutput({ bucket, objects, limit }) {
      const [first, second = first] = objects;
      if (first === undefined) return [];
      return (st.finishedByOutput.all(bucket, first, second, limit) as Row[]).map(rowToJob);
    },
    async listJobs(query) {
      return listJobs(query);
    },
    async deleteJobs(ids) {
      return writer.call('deleteJobs', ids);
    },
    async countJobsByState() {
      const counts = emptyStateCounts();
      for (const row of st.countByState.all() as { state: JobState; n: number }[]) counts[row.state] = Number(row.n);
      return counts;
    },

    async claimJob(args) {
      // The writer is the only writing connection here and runs the pick and the update in one
      // transaction, so no other claim can take the same candidate in between.
      const row = await writer.call('claimJob', args);
      return row ? rowToJob(row) : null;
    },
    async renewLease(args) {
      return writer.call('renewLease', args);
    },
    async completeJob(args) {
      const done = await writer.call('completeJob', args);
      if (done && args.delivery) work.raise();
      return done;
    },
    async releaseJob(args) {
      // A released job is claimable at once: tell idle workers.
      if (await writer.call('releaseJob', args)) work.raise();
    },
    waitForWork(args) {
      return work.wait(args);
    },

    async useNonce(args) {
      return writer.call('useNonce', args);
    },

    async putAccessKey(key) {
      await writer.call('putAccessKey', key);
    },
    async getAccessKey(id) {
      const row = st.getKey.get(id) as Row | undefined;
      return row ? rowToAccessKey(row) : null;
    },
    async listAccessKeys() {
      return (st.listKeys.all() as Row[]).map(rowToAccessKey);
    },

    async claimDeliveries(args) {
      return (await writer.call('claimDeliveries', args)).map(rowToDelivery);
    },
    async recordDeliveryAttempt(args) {
      return writer.call('recordDeliveryAttempt', args);
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
    async resendDelivery(args) {
      const changed = await writer.call('resendDelivery', args);
      if (changed) work.raise();
      return changed;
    },

    async sendQueueMessage(args) {
      await writer.call('sendQueueMessage', args);
    },
    async receiveQueueMessages(args) {
      return (await writer.call('receiveQueueMessages', args)).map(rowToQueueMessage);
    },
    async deleteQueueMessage(args) {
      return writer.call('deleteQueueMessage', args);
    },

    async getSetting(key) {
      const row = st.getSetting.get(key) as { value: string } | undefined;
      return row ? row.value : null;
    },
    async putSetting(key, value) {
      await writer.call('putSetting', { key, value });
    },

    async ping() {
      st.ping.get();
      // A store whose writes fail is not ready, even if it can still read.
      await writer.call('ping', {});
    },
    async close() {
      work.close();
      await writer.close();
      if (db.open) db.close();
    },
  };
}
