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
  JobResult?: { MediaId: string; MediaUrl: string; AiResult: string };
  SmartJobInfo: {
    Title: string;
    Description: string;
    CreateTime: string;
    EditingConfig: string;
    InputConfig: { InputFile: string };
    OutputConfig: { Bucket: string; Object: string };
  };
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
