/**
 * The persistence port. Two implementations (SQLite embedded, PostgreSQL shared) pass one
 * contract suite (store.test-suite.ts). Every method is async so both fit; every time value
 * is passed in (`now`) so tests control the clock and the database clock never decides.
 */
import type { WaitForWorkArgs } from './store.work-signal.js';

export type { WaitForWorkArgs };

export type JobState = 'Created' | 'Executing' | 'Finished' | 'Failed';

/** What the worker records when a job finishes. */
export interface JobResult {
  /** Where the audio went: bucket and full key (with extension). */
  bucket: string;
  key: string;
  format: 'mp3' | 'wav' | 'pcm';
  sampleRate: number;
  bytes: number;
  durationMs: number;
  /** JSON text of the sentence timings list, as AiResult carries it. */
  aiResult: string;
  /** Extra files written beside the audio (subtitles), keys in the same bucket. */
  extraKeys?: string[];
}

export interface JobRecord {
  /** 32 lower-case hex chars. */
  id: string;
  /** 32 lower-case hex chars: the produced media asset. */
  mediaId: string;
  /** The access key that submitted it ('anonymous' when unsigned). */
  ownerKeyId: string;
  jobType: 'TextToSpeech';
  state: JobState;
  title: string;
  description: string | null;
  /** The submitted UserData, verbatim. */
  userData: string | null;
  /** The submitted InputConfig (the text itself). */
  inputText: string;
  /** The normalised EditingConfig JSON text (keys sorted, defaults filled). */
  editingConfig: string;
  /** The submitted OutputConfig. */
  outputBucket: string;
  outputObject: string;
  overwrite: boolean;
  createdAt: Date;
  modifiedAt: Date;
  /** How many times a worker has claimed it (1 on the first run). */
  attempts: number;
  /** 0–100, by characters synthesised. */
  progress: number;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  result: JobResult | null;
  errorCode: string | null;
  errorMessage: string | null;
}

export type NewJob = Pick<
  JobRecord,
  'id' | 'mediaId' | 'ownerKeyId' | 'title' | 'description' | 'userData' | 'inputText' | 'editingConfig' | 'outputBucket' | 'outputObject' | 'overwrite'
> & { createdAt: Date };

export interface ListJobsQuery {
  ownerKeyId?: string;
  state?: JobState;
  jobType?: string;
  order: 'asc' | 'desc';
  limit: number;
  /** Page-number paging. */
  offset?: number;
  /** Token paging: the opaque token a previous page returned. */
  afterToken?: string;
}

export interface ListJobsPage {
  jobs: JobRecord[];
  total: number;
  /** Token for the next page, or null when there is no more. */
  nextToken: string | null;
}

/** A completion event written in the same transaction as a job's final state (the outbox). */
export interface NewDelivery {
  id: string;
  jobId: string;
  /** `http` POSTs `body` to `target`; `queue` puts it into the named queue. */
  kind: 'http' | 'queue';
  target: string;
  /** The JSON envelope, as text. */
  body: string;
  createdAt: Date;
}

export interface DeliveryRecord extends NewDelivery {
  state: 'pending' | 'delivered' | 'dead';
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  leaseOwner: string | null;
  leaseExpiresAt: Date | null;
  deliveredAt: Date | null;
}

export interface QueueMessage {
  id: string;
  queue: string;
  body: string;
  /** Changes on every receive; delete needs the latest one. */
  receiptHandle: string;
  receiveCount: number;
  createdAt: Date;
}

export interface AccessKeyRecord {
  id: string;
  secret: string;
  /** RAM-style action names (`ice:SubmitAudioProduceJob`), or ['*']. */
  allowedActions: string[];
  active: boolean;
  createdAt: Date;
}

/** A signature nonce to record: each key may use a nonce once until it expires (replay protection). */
export interface NonceUse {
  keyId: string;
  nonce: string;
  now: Date;
  ttlMs: number;
}

export interface JobStore {
  // Jobs ---------------------------------------------------------------
  /**
   * Inserts a Created job. With `nonce`, records the nonce in the same transaction, so a submit
   * and its replay protection are durable together; when that key already used the nonce, nothing
   * is written and it throws the catalog's SignatureNonceUsed error.
   */
  createJob(job: NewJob, options?: { nonce?: NonceUse }): Promise<JobRecord>;
  getJob(id: string): Promise<JobRecord | null>;
  getJobByMediaId(mediaId: string): Promise<JobRecord | null>;
  /**
   * Finished jobs that wrote OutputConfig `{bucket, object}` for one of `objects` (the key with and
   * without its extension), newest first, at most `limit`: GetMediaInfo by InputURL. Several
   * formats of one object name (name.mp3, name.wav) are several candidates.
   */
  findFinishedJobsByOutput(args: { bucket: string; objects: string[]; limit: number }): Promise<JobRecord[]>;
  listJobs(query: ListJobsQuery): Promise<ListJobsPage>;
  /** Deletes the given jobs (and their pending deliveries); returns how many existed. */
  deleteJobs(ids: string[]): Promise<number>;
  /** Counts by state, for metrics and readiness. */
  countJobsByState(): Promise<Record<JobState, number>>;

  /**
   * Claims the oldest runnable job: a Created job, or an Executing job whose lease expired.
   * Sets state Executing, leaseOwner, leaseExpiresAt = now + leaseMs, attempts + 1.
   * Two concurrent callers never get the same job.
   */
  claimJob(args: { workerId: string; leaseMs: number; now: Date }): Promise<JobRecord | null>;
  /** Extends the lease; false when the worker no longer holds it (expired and taken by another). */
  renewLease(args: { jobId: string; workerId: string; leaseMs: number; now: Date; progress?: number }): Promise<boolean>;
  /**
   * Moves an Executing job held by workerId to Finished or Failed, and inserts the delivery
   * (if any) in the same transaction. False (and nothing written) when the worker no longer
   * holds the lease or the job is not Executing — so a job is never finished twice.
   */
  completeJob(args: {
    jobId: string;
    workerId: string;
    now: Date;
    outcome: { state: 'Finished'; result: JobResult } | { state: 'Failed'; errorCode: string; errorMessage: string };
    delivery?: NewDelivery;
  }): Promise<boolean>;
  /** Gives the lease back (shutdown): the job stays Executing and any worker may claim it at once. */
  releaseJob(args: { jobId: string; workerId: string; now: Date }): Promise<void>;

  /**
   * Resolves when new work may be there (a job or delivery was added), or after timeoutMs,
   * or when the signal aborts. PostgreSQL uses LISTEN/NOTIFY; SQLite an in-process signal plus the timeout.
   */
  waitForWork(args: WaitForWorkArgs): Promise<void>;

  // Signature nonces ---------------------------------------------------
  /** Records the nonce; false if that key already used it and it has not expired. Expired nonces may be purged. */
  useNonce(args: NonceUse): Promise<boolean>;

  // Access keys --------------------------------------------------------
  putAccessKey(key: AccessKeyRecord): Promise<void>;
  getAccessKey(id: string): Promise<AccessKeyRecord | null>;
  listAccessKeys(): Promise<AccessKeyRecord[]>;

  // Outbox (callback deliveries) ----------------------------------------
  /** Claims up to `limit` pending deliveries due at `now`, leasing them to workerId. */
  claimDeliveries(args: { workerId: string; now: Date; limit: number; leaseMs: number }): Promise<DeliveryRecord[]>;
  /**
   * Records an attempt's outcome: delivered, retry at nextAttemptAt, or dead. False (nothing
   * recorded) when workerId no longer holds the lease: it ran out and another dispatcher took over.
   */
  recordDeliveryAttempt(args: {
    id: string;
    workerId: string;
    now: Date;
    outcome: { kind: 'delivered' } | { kind: 'retry'; nextAttemptAt: Date; error: string } | { kind: 'dead'; error: string };
  }): Promise<boolean>;
  listDeliveries(args: { state?: DeliveryRecord['state']; jobId?: string; limit: number }): Promise<DeliveryRecord[]>;
  /** Puts a dead (or delivered) delivery back to pending, due now, attempts reset. False if unknown. */
  resendDelivery(args: { id: string; now: Date }): Promise<boolean>;

  // Queues (NotifyAddress targets named ice-callback-...) ----------------
  sendQueueMessage(args: { id: string; queue: string; body: string; now: Date }): Promise<void>;
  /** Returns up to max visible messages and hides them until now + visibilityMs. */
  receiveQueueMessages(args: { queue: string; max: number; visibilityMs: number; now: Date }): Promise<QueueMessage[]>;
  /** Deletes by the latest receipt handle; false if the handle is stale or unknown. */
  deleteQueueMessage(args: { queue: string; receiptHandle: string }): Promise<boolean>;

  // Settings (global callback config and the like) ----------------------
  getSetting(key: string): Promise<string | null>;
  putSetting(key: string, value: string): Promise<void>;

  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
