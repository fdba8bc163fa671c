import { randomBytes } from 'node:crypto';
import { iceTime } from '../shared/clock.js';
import type { JobRecord, NewDelivery } from '../store/store.types.js';
import type { NotifyTarget } from './notify.types.js';

/**
 * ICE's event list has a "smart job completed" row whose identifier could not be found in any
 * source (reference §4.4). We name it after the action (SubmitAudioProduceJob) in the style of
 * ProduceMediaComplete; deployments that learn the real name pass it as `eventType`.
 */
export const DEFAULT_COMPLETION_EVENT_TYPE = 'AudioProduceComplete';


/** The MessageBody of the completion event, field order as on the wire. */
export interface CompletionMessageBody {
  JobId: string;
  JobType: 'TextToSpeech';
  Status: 'Finished' | 'Failed';
  MediaId: string;
  /** Where the audio can be fetched; empty when the job failed. */
  MediaURL: string;
  ErrorCode: string;
  ErrorMessage: string;
  /** The submitted UserData text, verbatim (empty string when none). */
  UserData: string;
}

/**
 * The envelope JSON text for one finished or failed job.
 * `userId` is a JSON number on the wire; pass a decimal string to keep ids beyond 2^53 exact.
 */
export function buildCompletionEvent(args: {
  job: Pick<JobRecord, 'id' | 'mediaId' | 'state' | 'userData' | 'errorCode' | 'errorMessage'>;
  eventType?: string;
  userId: number | string;
  now: Date;
  /** URL of the produced audio (Finished jobs); ignored for failed ones. */
  mediaUrl?: string | null;
}): string {
  const { job } = args;
  if (job.state !== 'Finished' && job.state !== 'Failed') throw new Error(`A completion event needs a finished or failed job; job ${job.id} is ${job.state}.`);
  const userId = String(args.userId);
  if (!/^(0|[1-9][0-9]*)$/.test(userId)) throw new Error(`UserId must be a non-negative integer, not "${userId}".`);
  const failed = job.state === 'Failed';
  const body: CompletionMessageBody = {
    JobId: job.id,
    JobType: 'TextToSpeech',
    Status: job.state,
    MediaId: job.mediaId,
    MediaURL: failed ? '' : (args.mediaUrl ?? ''),
    ErrorCode: failed ? (job.errorCode ?? '') : '',
    ErrorMessage: failed ? (job.errorMessage ?? '') : '',
    UserData: job.userData ?? '',
  };
  // Spliced by hand so a UserId beyond Number.MAX_SAFE_INTEGER still goes out as an exact JSON number.
  return (
    `{"EventType":${JSON.stringify(args.eventType ?? DEFAULT_COMPLETION_EVENT_TYPE)},` +
    `"UserId":${userId},` +
    `"EventTime":${JSON.stringify(iceTime(args.now))},` +
    `"MessageBody":${JSON.stringify(body)}}`
  );
}

/** A fresh delivery id: 32 lower-case hex chars, also sent as the de-duplication header. */
export function newDeliveryId(): string {
  return randomBytes(16).toString('hex');
}

/**
 * The outbox row for a job's completion event, or null when the job has no callback target.
 * The caller passes it to store.completeJob so the event is written with the final state.
 */
export function createDeliveryForJob(args: {
  job: Pick<JobRecord, 'id' | 'mediaId' | 'state' | 'userData' | 'errorCode' | 'errorMessage'>;
  target: NotifyTarget;
  eventType?: string;
  userId: number | string;
  now: Date;
  mediaUrl?: string | null;
  /** Injected in tests; defaults to 16 random bytes in hex. */
  newId?: () => string;
}): NewDelivery | null {
  if (args.target.kind === 'none') return null;
  return {
    id: (args.newId ?? newDeliveryId)(),
    jobId: args.job.id,
    kind: args.target.kind,
    target: args.target.kind === 'http' ? args.target.url : args.target.queue,
    body: buildCompletionEvent(args),
    createdAt: args.now,
  };
}
