/** The response shapes the console reads (reference §1.5, §2.2, §3.1, §3.4); only the fields it uses. */

export type JobState = 'Created' | 'Executing' | 'Finished' | 'Failed';
export const JOB_STATES: readonly JobState[] = ['Created', 'Executing', 'Finished', 'Failed'];

export interface SmartJobListItem {
  JobId: string;
  Title: string;
  Description: string;
  JobState: JobState;
  EditingConfig: string;
  UserData: string;
  CreateTime: string;
  ModifiedTime: string;
  InputConfig: { InputFile: string };
  OutputConfig: { Bucket: string; Object: string };
}

export interface ListSmartJobsResponse {
  SmartJobList: SmartJobListItem[];
  TotalCount: string;
}

export interface SmartHandleJob {
  JobId: string;
  State: JobState;
  Progress?: number;
  UserData: string;
  ErrorCode?: string;
  ErrorMessage?: string;
  JobResult?: {
    MediaId: string;
    MediaUrl: string;
    AiResult: string;
    /** The subtitle files asked for in EditingConfig `subtitles` (a Narrate extension; absent when none). */
    Subtitles?: SubtitleFile[];
  };
  SmartJobInfo: {
    Title: string;
    /** Not sent by the server today; read when present so the code snippet can repeat it. */
    Overwrite?: boolean | string;
    Description: string;
    CreateTime: string;
    EditingConfig: string;
    InputConfig: { InputFile: string };
    OutputConfig: { Bucket: string; Object: string };
  };
}

/** One file of JobResult.Subtitles, written beside the audio with the same base name. */
export interface SubtitleFile {
  /** `srt`, `vtt` or `json`. */
  Format: string;
  /** The object key in the job's bucket. */
  Object: string;
  /** Where to download it (signed, expiring like MediaUrl). */
  Url: string;
}

export interface VoiceListItem {
  Voice: string;
  Name: string;
  VoiceType: 'Male' | 'Female' | 'Boy' | 'Girl' | string;
  Desc: string;
  Remark: string;
  SupportSampleRate: string;
}

export interface ListSmartVoiceGroupsResponse {
  VoiceGroups: Array<{ Type: string; VoiceList: VoiceListItem[] }>;
}

export interface SubmitResponse {
  JobId: string;
  MediaId: string;
  State: JobState;
}

export function isFinal(state: string): boolean {
  return state === 'Finished' || state === 'Failed';
}
