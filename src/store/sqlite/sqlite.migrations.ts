/**
 * Numbered migrations, applied in order and recorded in schema_version. Kept as TypeScript
 * strings rather than .sql files so `tsc` ships them in dist/ with no copy step. Never edit a
 * released migration: add the next number.
 *
 * Times are INTEGER epoch milliseconds (UTC); booleans are 0/1; JSON values are TEXT.
 */
import type { Migration } from '../store.migration.js';

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'init',
    sql: `
CREATE TABLE jobs (
  id               TEXT PRIMARY KEY,
  media_id         TEXT NOT NULL UNIQUE,
  owner_key_id     TEXT NOT NULL,
  job_type         TEXT NOT NULL DEFAULT 'TextToSpeech',
  state            TEXT NOT NULL CHECK (state IN ('Created', 'Executing', 'Finished', 'Failed')),
  title            TEXT NOT NULL,
  description      TEXT,
  user_data        TEXT,
  input_text       TEXT NOT NULL,
  editing_config   TEXT NOT NULL,
  output_bucket    TEXT NOT NULL,
  output_object    TEXT NOT NULL,
  overwrite        INTEGER NOT NULL,
  created_at       INTEGER NOT NULL,
  modified_at      INTEGER NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  progress         INTEGER NOT NULL DEFAULT 0,
  lease_owner      TEXT,
  lease_expires_at INTEGER,
  result           TEXT,
  error_code       TEXT,
  error_message    TEXT
);
-- Claiming: the oldest Created job, and Executing jobs whose lease ran out.
CREATE INDEX jobs_claim_created ON jobs (created_at, id) WHERE state = 'Created';
CREATE INDEX jobs_claim_lease ON jobs (lease_expires_at) WHERE state = 'Executing';
-- Listing: by owner (and state), by state, or everything, always ordered by (created_at, id).
CREATE INDEX jobs_owner_state_created ON jobs (owner_key_id, state, created_at, id);
CREATE INDEX jobs_owner_created ON jobs (owner_key_id, created_at, id);
CREATE INDEX jobs_state_created ON jobs (state, created_at, id);
CREATE INDEX jobs_created ON jobs (created_at, id);

-- One row per finished job, written in the completing transaction. The primary key makes a
-- second completion impossible, and the table is the audit that proves "finished exactly once".
CREATE TABLE job_completions (
  job_id       TEXT PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  worker_id    TEXT NOT NULL,
  state        TEXT NOT NULL,
  attempt      INTEGER NOT NULL,
  completed_at INTEGER NOT NULL
);

-- The outbox. job_id is deliberately not a foreign key: delivered and dead rows outlive a
-- deleted job as a record of what was sent.
CREATE TABLE deliveries (
  id               TEXT PRIMARY KEY,
  job_id           TEXT NOT NULL,
  kind             TEXT NOT NULL CHECK (kind IN ('http', 'queue')),
  target           TEXT NOT NULL,
  body             TEXT NOT NULL,
  state            TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL,
  last_error       TEXT,
  lease_owner      TEXT,
  lease_expires_at INTEGER,
  delivered_at     INTEGER,
  created_at       INTEGER NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at, created_at, id);
CREATE INDEX deliveries_job ON deliveries (job_id);
CREATE INDEX deliveries_created ON deliveries (created_at, id);

CREATE TABLE queue_messages (
  id             TEXT PRIMARY KEY,
  queue          TEXT NOT NULL,
  body           TEXT NOT NULL,
  receipt_handle TEXT NOT NULL UNIQUE,
  receive_count  INTEGER NOT NULL DEFAULT 0,
  visible_at     INTEGER NOT NULL,
  created_at     INTEGER NOT NULL
);
CREATE INDEX queue_messages_visible ON queue_messages (queue, visible_at, created_at, id);

CREATE TABLE nonces (
  key_id     TEXT NOT NULL,
  nonce      TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (key_id, nonce)
) WITHOUT ROWID;
CREATE INDEX nonces_expiry ON nonces (expires_at);

CREATE TABLE access_keys (
  id              TEXT PRIMARY KEY,
  secret          TEXT NOT NULL,
  allowed_actions TEXT NOT NULL,
  active          INTEGER NOT NULL,
  created_at      INTEGER NOT NULL
);

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'fewer job indexes',
    // Every index is one more b-tree page each submit writes and fsyncs. No query filters on the
    // owner (ListSmartJobs lists the whole account, as Alibaba's does), and jobs_state_created
    // already serves the claim's "oldest Created job" in index order.
    sql: `
DROP INDEX jobs_owner_state_created;
DROP INDEX jobs_owner_created;
DROP INDEX jobs_claim_created;
`,
  },
  {
    version: 3,
    name: 'finished jobs by output object',
    // GetMediaInfo by InputURL. Partial: a row enters it when its job finishes, so submits (the
    // hot write path) never touch it.
    sql: `
CREATE INDEX jobs_finished_output ON jobs (output_bucket, output_object, modified_at) WHERE state = 'Finished';
`,
  },
];
