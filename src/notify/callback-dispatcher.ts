import { coerceError } from '../shared/errors.js';
import type { Clock } from '../shared/clock.js';
import { systemClock } from '../shared/clock.js';
import type { DeliveryRecord, JobStore } from '../store/store.types.js';
import { callbackHeaders } from './callback-auth.models.js';
import { loadEventCallbackSettings } from './event-callback.usecases.js';
import type { CallbackHttpClient } from './notify.types.js';
import { DEFAULT_RETRY_POLICY, nextAttempt, type RetryPolicy } from './retry-policy.models.js';
import { sleep } from '../shared/timers.js';

/** The part of a pino logger the dispatcher uses. */
export interface DispatcherLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const silentLogger: DispatcherLogger = { info() {}, warn() {}, error() {} };

export interface CallbackDispatcherDeps {
  store: Pick<JobStore, 'claimDeliveries' | 'recordDeliveryAttempt' | 'sendQueueMessage' | 'getSetting' | 'waitForWork'>;
  httpClient: CallbackHttpClient;
  policy?: RetryPolicy;
  /** Lease owner name; unique per process (e.g. `host:pid:random`). */
  workerId: string;
  now?: Clock;
  /** Uniform in [0, 1), for retry jitter. */
  random?: () => number;
  logger?: DispatcherLogger;
  /** Deliveries claimed (and sent concurrently) per round. */
  batchSize?: number;
  /**
   * How long a claimed delivery stays ours. Must exceed the HTTP timeout by a margin: when it
   * runs out (the process died mid-send) another dispatcher takes the delivery over.
   */
  leaseMs?: number;
  /** Longest idle wait in start(); bounds how late a retry scheduled by another process is seen. */
  idleMs?: number;
}

/** What one round did. */
export interface DispatchRound {
  claimed: number;
  delivered: number;
  retried: number;
  dead: number;
  /** Attempts whose lease ran out before their outcome could be recorded (not counted above). */
  leaseLost: number;
  /** Earliest retry this round scheduled, or null. */
  nextDueAt: Date | null;
}

/**
 * Sends due outbox rows: HTTP targets through the HTTP client, queue targets into the store's
 * queue. All state (attempts, next attempt time, lease) lives in the store, so a restart, or a
 * second dispatcher on another machine, carries on where the last one stopped.
 * Note: the store counts an attempt when it claims the delivery, so a crash mid-send uses one up.
 */
export function createCallbackDispatcher(deps: CallbackDispatcherDeps) {
  const { store, httpClient, workerId } = deps;
  const policy = deps.policy ?? DEFAULT_RETRY_POLICY;
  const now = deps.now ?? systemClock;
  const random = deps.random ?? Math.random;
  const logger = deps.logger ?? silentLogger;
  const batchSize = deps.batchSize ?? 16;
  const leaseMs = deps.leaseMs ?? 30_000;
  const idleMs = deps.idleMs ?? 5000;

  async function attempt(delivery: DeliveryRecord, authKey: string | null): Promise<{ ok: true } | { ok: false; error: string }> {
    if (delivery.kind === 'queue') {
      try {
        await store.sendQueueMessage({ id: delivery.id, queue: delivery.target, body: delivery.body, now: now() });
        return { ok: true };
      } catch (error) {
        const message = coerceError(error).message;
        // The message id is the delivery id: a key clash means an earlier attempt did write it
        // and the process stopped before recording that, so it is delivered.
        if (/unique|duplicate|constraint/i.test(message)) return { ok: true };
        return { ok: false, error: `queue ${delivery.target}: ${message}` };
      }
    }
    const headers = callbackHeaders({ deliveryId: delivery.id, url: delivery.target, now: now(), authKey });
    const outcome = await httpClient.post({ url: delivery.target, body: delivery.body, headers });
    return outcome.ok ? { ok: true } : { ok: false, error: outcome.error };
  }

  async function handle(delivery: DeliveryRecord, authKey: string | null, round: DispatchRound): Promise<void> {
    let result: { ok: true } | { ok: false; error: string };
    try {
      result = await attempt(delivery, authKey);
    } catch (error) {
      result = { ok: false, error: coerceError(error).message };
    }
    const at = now();
    const log = { deliveryId: delivery.id, jobId: delivery.jobId, kind: delivery.kind, attempt: delivery.attempts };
    // The attempt outlived its lease (a callback slower than leaseMs): another dispatcher owns the
    // delivery now and records what it sees; this outcome is dropped, and said so.
    const record = async (outcome: Parameters<typeof store.recordDeliveryAttempt>[0]['outcome']): Promise<boolean> => {
      if (await store.recordDeliveryAttempt({ id: delivery.id, workerId, now: at, outcome })) return true;
      round.leaseLost += 1;
      logger.warn({ ...log, outcome: outcome.kind }, 'callback lease lost before its outcome was recorded; another dispatcher took the delivery over');
      return false;
    };
    if (result.ok) {
      if (!(await record({ kind: 'delivered' }))) return;
      round.delivered += 1;
      logger.info(log, 'callback delivered');
      return;
    }
    const next = nextAttempt({ policy, attempts: delivery.attempts, firstAttemptAt: delivery.createdAt, now: at, random });
    if (next === 'dead') {
      if (!(await record({ kind: 'dead', error: result.error }))) return;
      round.dead += 1;
      logger.warn({ ...log, error: result.error }, 'callback given up');
      return;
    }
    if (!(await record({ kind: 'retry', nextAttemptAt: next, error: result.error }))) return;
    round.retried += 1;
    if (round.nextDueAt === null || next < round.nextDueAt) round.nextDueAt = next;
    logger.info({ ...log, error: result.error, nextAttemptAt: next.toISOString() }, 'callback failed, will retry');
  }

  async function runOnce(): Promise<DispatchRound> {
    const round: DispatchRound = { claimed: 0, delivered: 0, retried: 0, dead: 0, leaseLost: 0, nextDueAt: null };
    const claimed = await store.claimDeliveries({ workerId, now: now(), limit: batchSize, leaseMs });
    round.claimed = claimed.length;
    if (claimed.length === 0) return round;
    // Read per round, so SetEventCallback (key rotation, auth on/off) applies to the next attempt.
    const settings = await loadEventCallbackSettings(store);
    const authKey = settings?.authSwitch && settings.authKey ? settings.authKey : null;
    await Promise.all(claimed.map((delivery) => handle(delivery, authKey, round)));
    return round;
  }

  /** Runs rounds until the signal aborts; resolves once the round in flight has finished. */
  async function start({ signal }: { signal: AbortSignal }): Promise<void> {
    let knownNext: Date | null = null;
    while (!signal.aborted) {
      let waitMs: number;
      try {
        const round = await runOnce();
        const current = now().getTime();
        // A due time that has passed was this round's to act on; forget it before taking the
        // round's own retries, or it would shadow them (a retry scheduled by that very round).
        if (knownNext !== null && knownNext.getTime() <= current) knownNext = null;
        if (round.nextDueAt !== null && (knownNext === null || round.nextDueAt < knownNext)) knownNext = round.nextDueAt;
        if (round.claimed === batchSize) continue; // there may be more due right now
        waitMs = knownNext === null ? idleMs : Math.min(idleMs, knownNext.getTime() - current);
      } catch (error) {
        logger.error({ err: coerceError(error) }, 'callback dispatch round failed');
        // A plain pause, not waitForWork: a store that is failing (or closed) may return from that at
        // once, and the loop would spin, logging this line as fast as it can.
        await sleep(idleMs, signal);
        continue;
      }
      if (waitMs > 0) await store.waitForWork({ timeoutMs: waitMs, signal, waiter: 'callbacks' });
    }
  }

  return { runOnce, start };
}

export type CallbackDispatcher = ReturnType<typeof createCallbackDispatcher>;
