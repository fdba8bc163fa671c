/**
 * Every ICE action Narrate answers, by name. Alibaba's own: SubmitAudioProduceJob,
 * GetSmartHandleJob (+ alias GetSmartJobResult), ListSmartJobs, DeleteSmartJob, GetMediaInfo,
 * ListSmartVoiceGroups, SetEventCallback, GetEventCallback. Narrate's extensions (same protocol,
 * same signatures): ReceiveCallbackMessages, DeleteCallbackMessage, ListCallbackDeliveries,
 * ResendCallbackDelivery.
 */
import type { FastifyRequest } from 'fastify';
import type { Clock } from '../../shared/clock.js';
import { errors } from '../../shared/errors.js';
import type { JobRecord, JobStore } from '../../store/store.types.js';
import type { ObjectStorage } from '../../storage/storage.types.js';
import type { JobService } from '../../jobs/jobs.service.js';
import type { VoiceResolver } from '../../voices/voice-resolver.models.js';
import { toVoiceGroups } from '../../voices/voice-groups.models.js';
import { getEventCallback, setEventCallback } from '../../notify/event-callback.usecases.js';
import { isCallbackQueueName } from '../../notify/notify-target.models.js';
import { resendDelivery, summarizeDelivery } from '../../notify/dead-deliveries.usecases.js';
import type { IceActionHandler } from '../ice/ice.plugin.js';
import { createJobActions } from './job.actions.js';
import { wholeNumberParam } from '../../jobs/whole-number.models.js';

/**
 * Every action the ICE endpoint answers (WatchSmartJob on its own route), for checking the action
 * names an access key is given. createIceActions must handle each: the compiler holds it to this list.
 */
export const ICE_ACTION_NAMES = [
  'SubmitAudioProduceJob',
  'GetSmartHandleJob',
  'GetSmartJobResult',
  'ListSmartJobs',
  'DeleteSmartJob',
  'GetMediaInfo',
  'ListSmartVoiceGroups',
  'SetEventCallback',
  'GetEventCallback',
  'ReceiveCallbackMessages',
  'DeleteCallbackMessage',
  'ListCallbackDeliveries',
  'ResendCallbackDelivery',
] as const;

export const WATCH_ACTION_NAME = 'WatchSmartJob';

function queueName(params: Record<string, string>): string {
  const name = params.QueueName;
  if (name === undefined || name === '') throw errors.missingParameter('QueueName');
  if (!isCallbackQueueName(name)) throw errors.invalidParameter('QueueName', 'queue names start with "ice-callback-".');
  return name;
}

export function createIceActions({
  jobs,
  store,
  storage,
  voices,
  clock,
  publicBaseUrlOf,
  livePercent,
}: {
  jobs: JobService;
  store: JobStore;
  storage: ObjectStorage;
  voices: () => VoiceResolver;
  clock: Clock;
  publicBaseUrlOf: (request: FastifyRequest) => string;
  livePercent?: (job: JobRecord) => number | undefined;
}): Record<(typeof ICE_ACTION_NAMES)[number], IceActionHandler> {
  return {
    ...createJobActions({ jobs, storage, publicBaseUrlOf, livePercent }),
    ListSmartVoiceGroups: async ({ params }) => {
      // VoiceType=CosyVoice asks for Alibaba's large-model voices; Narrate has none, so the list is empty.
      if (params.VoiceType && params.VoiceType !== 'CosyVoice') throw errors.invalidParameter('VoiceType', 'leave it out, or CosyVoice.');
      return { VoiceGroups: params.VoiceType === 'CosyVoice' ? [] : toVoiceGroups(voices().list()) };
    },
    SetEventCallback: ({ params }) => setEventCallback(store, params),
    GetEventCallback: async () => ({ ...(await getEventCallback(store)) }),
    ReceiveCallbackMessages: async ({ params }) => {
      const messages = await store.receiveQueueMessages({
        queue: queueName(params),
        max: wholeNumberParam('MaxMessages', params.MaxMessages, { fallback: 10, min: 1, max: 100 }),
        visibilityMs: wholeNumberParam('VisibilityTimeout', params.VisibilityTimeout, { fallback: 30, min: 1, max: 43_200 }) * 1000,
        now: clock(),
      });
      return {
        Messages: messages.map((message) => ({
          MessageId: message.id,
          ReceiptHandle: message.receiptHandle,
          MessageBody: message.body,
          DequeueCount: message.receiveCount,
          EnqueueTime: message.createdAt.toISOString(),
        })),
      };
    },
    DeleteCallbackMessage: async ({ params }) => {
      const handle = params.ReceiptHandle;
      if (!handle) throw errors.missingParameter('ReceiptHandle');
      if (!(await store.deleteQueueMessage({ queue: queueName(params), receiptHandle: handle }))) {
        throw errors.invalidParameter('ReceiptHandle', 'it is unknown or stale (the message was received again since); receive it again.');
      }
      return {};
    },
    ListCallbackDeliveries: async ({ params }) => {
      const state = params.State || undefined;
      if (state !== undefined && !['pending', 'delivered', 'dead'].includes(state)) throw errors.invalidParameter('State', 'it must be pending, delivered or dead.');
      const deliveries = await store.listDeliveries({
        state: state as 'pending' | 'delivered' | 'dead' | undefined,
        jobId: params.JobId || undefined,
        limit: wholeNumberParam('MaxResults', params.MaxResults, { fallback: 100, min: 1, max: 1000 }),
      });
      return { Deliveries: deliveries.map(summarizeDelivery) };
    },
    ResendCallbackDelivery: async ({ params }) => {
      if (!params.DeliveryId) throw errors.missingParameter('DeliveryId');
      await resendDelivery(store, { id: params.DeliveryId, now: clock() });
      return {};
    },
  };
}
