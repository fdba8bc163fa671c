import { errors } from '../shared/errors.js';
import type { DeliveryRecord, JobStore } from '../store/store.types.js';

/** A delivery as an operator sees it (RPC action or CLI); the body is left out, it can be large. */
export interface DeliverySummary {
  DeliveryId: string;
  JobId: string;
  Kind: 'http' | 'queue';
  Target: string;
  State: DeliveryRecord['state'];
  Attempts: number;
  LastError: string | null;
  CreatedAt: string;
  NextAttemptAt: string;
  DeliveredAt: string | null;
}

export function summarizeDelivery(delivery: DeliveryRecord): DeliverySummary {
  return {
    DeliveryId: delivery.id,
    JobId: delivery.jobId,
    Kind: delivery.kind,
    Target: delivery.target,
    State: delivery.state,
    Attempts: delivery.attempts,
    LastError: delivery.lastError,
    CreatedAt: delivery.createdAt.toISOString(),
    NextAttemptAt: delivery.nextAttemptAt.toISOString(),
    DeliveredAt: delivery.deliveredAt ? delivery.deliveredAt.toISOString() : null,
  };
}

/** Deliveries the dispatcher gave up on, oldest first. */
export async function listDeadDeliveries(
  store: Pick<JobStore, 'listDeliveries'>,
  args: { jobId?: string; limit?: number } = {},
): Promise<DeliveryRecord[]> {
  const limit = Math.min(Math.max(Math.floor(args.limit ?? 100), 1), 1000);
  return store.listDeliveries({ state: 'dead', jobId: args.jobId, limit });
}

/**
 * Puts a dead (or delivered) delivery back in the outbox, due now with its attempts reset; the
 * same body and delivery id go out again, so receivers can still recognise a duplicate.
 * Throws DeliveryNotFound for an unknown id.
 */
export async function resendDelivery(store: Pick<JobStore, 'resendDelivery'>, args: { id: string; now: Date }): Promise<void> {
  const found = await store.resendDelivery({ id: args.id, now: args.now });
  if (!found) throw errors.deliveryNotFound(args.id);
}
