import type { Migration } from '../store.migration.js';

/**
 * Numbered PostgreSQL migrations, recorded in narrate_migrations. Unqualified names: they run
 * with search_path set to the store's schema. Never edit a released migration: add the next one.
 * Needs PostgreSQL 13+ (gen_random_uuid in core).
 */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'init',
    sql: `
CREATE TABLE jobs (
  id               text PRIMARY KEY,
  media_id         text NOT NULL UNIQUE,
  owner_key_id     text NOT NULL,
  job_type         text NOT NULL DEFAULT 'TextToSpeech',
  state            text NOT NULL CHECK (state IN ('Created', 'Executing', 'Finished', 'Failed')),
  title            text NOT NULL,
  description      text,
  user_data        text,
  input_text       text NOT NULL,
  editing_config   text NOT NULL,
  output_bucket    text NOT NULL,
  output_object    text NOT NULL,
  overwrite        boolean NOT NULL,
  created_at       timestamptz NOT NULL,
  modified_at      timestamptz NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  progress         integer NOT NULL DEFAULT 0,
  lease_owner      text,
  lease_expires_at timestamptz,
  result           text,
  error_code       text,
  error_message    text
);
-- Claiming: the oldest Created job, and Executing jobs whose lease ran out.
CREATE INDEX jobs_claim_created ON jobs (created_at, id) WHERE state = 'Created';
CREATE INDEX jobs_claim_lease ON jobs (lease_expires_at) WHERE state = 'Executing';
-- Listing: by owner (and state), by state, or everything, always ordered by (created_at, id).
CREATE INDEX jobs_owner_state_created ON jobs (owner_key_id, state, created_at, id);
CREATE INDEX jobs_owner_created ON jobs (owner_key_id, created_at, id);
CREATE INDEX jobs_state_created ON jobs (state, created_at, id);
CREATE INDEX jobs_created ON jobs (created_at, id);

-- One row per finished job, inserted by the completing transaction: the primary key makes a
-- second completion impossible and the table proves "finished exactly once".
CREATE TABLE job_completions (
  job_id       text PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
  worker_id    text NOT NULL,
  state        text NOT NULL,
  attempt      integer NOT NULL,
  completed_at timestamptz NOT NULL
);

-- The outbox. job_id is not a foreign key: delivered and dead rows outlive a deleted job.
CREATE TABLE deliveries (
  id               text PRIMARY KEY,
  job_id           text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('http', 'queue')),
  target           text NOT NULL,
  body             text NOT NULL,
  state            text NOT NULL CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  last_error       text,
  lease_owner      text,
  lease_expires_at timestamptz,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at, created_at, id);
CREATE INDEX deliveries_job ON deliveries (job_id);
CREATE INDEX deliveries_created ON deliveries (created_at, id);

CREATE TABLE queue_messages (
  id             text PRIMARY KEY,
  queue          text NOT NULL,
  body           text NOT NULL,
  receipt_handle text NOT NULL UNIQUE,
  receive_count  integer NOT NULL DEFAULT 0,
  visible_at     timestamptz NOT NULL,
  created_at     timestamptz NOT NULL
);
CREATE INDEX queue_messages_visible ON queue_messages (queue, visible_at, created_at, id);

CREATE TABLE nonces (
  key_id     text NOT NULL,
  nonce      text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (key_id, nonce)
);
CREATE INDEX nonces_expiry ON nonces (expires_at);

CREATE TABLE access_keys (
  id              text PRIMARY KEY,
  secret          text NOT NULL,
  allowed_actions text NOT NULL,
  active          boolean NOT NULL,
  created_at      timestamptz NOT NULL
);

CREATE TABLE settings (
  key   text PRIMARY KEY,
  value text NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'fewer job indexes',
    // Every index is more work for each submit. No query filters on the owner (ListSmartJobs lists
    // the whole account, as Alibaba's does). The partial claim index stays: with SKIP LOCKED,
    // concurrent claimers step through it past each other's locked rows.
    sql: `
DROP INDEX jobs_owner_state_created;
DROP INDEX jobs_owner_created;
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
