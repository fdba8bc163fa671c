/**
 * The internal job model in ICE's wire shapes (reference §1.5, §2.2, §3.1, §3.3).
 */
import { createHash } from 'node:crypto';
import { iceTime } from '../../shared/clock.js';
import type { JobRecord } from '../../store/store.types.js';

/**
 * ICE reports an account UserId. Narrate is single-tenant; each access key stands for a RAM user,
 * so the UserId is a stable 16-digit number derived from the key id.
 */
export function userIdOf(keyId: string): number {
  const digest = createHash('sha256').update(keyId).digest();
  return Number(digest.readBigUInt64BE(0) % 9_000_000_000_000_000n) + 1_000_000_000_000_000;
}

export function smartJobInfo(job: JobRecord) {
  return {
    Title: job.title,
    Description: job.description ?? '',
    UserId: String(userIdOf(job.ownerKeyId)),
    JobType: job.jobType,
    CreateTime: iceTime(job.createdAt),
    ModifiedTime: iceTime(job.modifiedAt),
    InputConfig: { InputFile: job.inputText },
    EditingConfig: job.editingConfig,
    OutputConfig: { Bucket: job.outputBucket, Object: job.outputObject },
  };
}

/** A file written beside the audio (Narrate extension, EditingConfig `subtitles`), as listed in JobResult.Subtitles. */
export interface SidecarInfo {
  /** `srt`, `vtt` or `json`. */
  Format: string;
  /** The object key in the job's bucket (same base name as the audio). */
  Object: string;
  /** Where to download it (signed for local buckets, presigned for S3). */
  Url: string;
}

export function getSmartHandleJobBody(job: JobRecord, mediaUrl: string | null, sidecars: SidecarInfo[] = []) {
  const body: Record<string, unknown> = {
    JobId: job.id,
    State: job.state,
    UserData: job.userData ?? '',
    SmartJobInfo: smartJobInfo(job),
  };
  if (job.state === 'Executing' || job.state === 'Created') body.Progress = job.progress;
  if (job.state === 'Finished' && job.result) {
    // Decision (reference §2.2): the legacy Output carries the MediaId, as older integrations read it.
    body.Output = job.mediaId;
    body.JobResult = { MediaId: job.mediaId, MediaUrl: mediaUrl ?? '', AiResult: job.result.aiResult, ...(sidecars.length > 0 ? { Subtitles: sidecars } : {}) };
    body.Progress = 100;
  } else {
    body.Output = '';
  }
  if (job.state === 'Failed') {
    body.ErrorCode = job.errorCode ?? 'InternalError';
    body.ErrorMessage = job.errorMessage ?? '';
  }
  return body;
}

export function listSmartJobsItem(job: JobRecord) {
  return {
    JobId: job.id,
    Title: job.title,
    Description: job.description ?? '',
    // A number here, a string in GetSmartHandleJob: the SDK models differ (reference §3.1).
    UserId: userIdOf(job.ownerKeyId),
    JobType: job.jobType,
    JobState: job.state,
    EditingConfig: job.editingConfig,
    UserData: job.userData ?? '',
    CreateTime: iceTime(job.createdAt),
    ModifiedTime: iceTime(job.modifiedAt),
    InputConfig: { InputFile: job.inputText, Keyword: '' },
    OutputConfig: { Bucket: job.outputBucket, Object: job.outputObject },
  };
}
