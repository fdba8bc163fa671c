import type { JobRecord, JobStore, NewDelivery } from '../store/store.types.js';
import { createDeliveryForJob, DEFAULT_COMPLETION_EVENT_TYPE } from './callback-event.models.js';
import { loadEventCallbackSettings } from './event-callback.usecases.js';
import { notifyTargetOf } from './notify-target.models.js';

/**
 * What the worker calls just before store.completeJob: the outbox row for this job's completion
 * event (per-job NotifyAddress, else the global callback when subscribed), or null when nobody
 * is to be told. `job` carries the final state, error and UserData.
 */
export async function completionDeliveryFor(args: {
  store: Pick<JobStore, 'getSetting'>;
  job: Pick<JobRecord, 'id' | 'mediaId' | 'state' | 'userData' | 'errorCode' | 'errorMessage'>;
  userId: number | string;
  now: Date;
  mediaUrl?: string | null;
  /** Configurable because ICE's real name for this event is unknown; default AudioProduceComplete. */
  eventType?: string;
}): Promise<NewDelivery | null> {
  const eventType = args.eventType ?? DEFAULT_COMPLETION_EVENT_TYPE;
  const globalSettings = await loadEventCallbackSettings(args.store);
  const target = notifyTargetOf({ userData: args.job.userData, globalSettings, eventType });
  return createDeliveryForJob({ job: args.job, target, eventType, userId: args.userId, now: args.now, mediaUrl: args.mediaUrl });
}
