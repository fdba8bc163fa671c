/** The submit form's values and how they become SubmitAudioProduceJob parameters (reference §1.1, §1.2). */

export interface SubmitFormValues {
  text: string;
  voice: string;
  format: 'MP3' | 'WAV' | 'PCM';
  sampleRate: number;
  /** Kept as typed, so the server (not the browser) judges the range and reports it at the field. */
  volume: string;
  speechRate: string;
  pitchRate: string;
  subtitles: string[];
  title: string;
  description: string;
  notifyAddress: string;
  overwrite: boolean;
  bucket: string;
  object: string;
}

export const SAMPLE_RATES = [8000, 16000, 24000, 48000] as const;
export const FORMATS = ['MP3', 'WAV', 'PCM'] as const;
export const SUBTITLE_FORMATS = ['srt', 'vtt', 'json'] as const;

export function defaultFormValues(now: Date = new Date()): SubmitFormValues {
  return {
    text: '',
    voice: 'Xiaoyun',
    format: 'MP3',
    sampleRate: 16000,
    volume: '50',
    speechRate: '0',
    pitchRate: '0',
    subtitles: [],
    title: '',
    description: '',
    notifyAddress: '',
    overwrite: true,
    bucket: 'console',
    object: defaultObjectKey(now),
  };
}

/** `console/20240102-030405`: unique enough per submit, readable in a bucket listing. */
export function defaultObjectKey(now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-');
  return `console/${stamp}`;
}

/** A number when the text is a whole number, else the text itself (the server then names the field). */
function numberOrText(value: string): number | string {
  return /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
}

export function toSubmitParams(values: SubmitFormValues): Record<string, string> {
  const editing: Record<string, unknown> = {
    voice: values.voice,
    format: values.format,
    sample_rate: values.sampleRate,
    volume: numberOrText(values.volume),
    speech_rate: numberOrText(values.speechRate),
    pitch_rate: numberOrText(values.pitchRate),
  };
  if (values.subtitles.length > 0) editing.subtitles = values.subtitles;
  const params: Record<string, string> = {
    InputConfig: values.text,
    EditingConfig: JSON.stringify(editing),
    OutputConfig: JSON.stringify({ bucket: values.bucket, object: values.object }),
    Overwrite: values.overwrite ? 'true' : 'false',
  };
  if (values.title !== '') params.Title = values.title;
  if (values.description !== '') params.Description = values.description;
  if (values.notifyAddress !== '') params.UserData = JSON.stringify({ NotifyAddress: values.notifyAddress });
  return params;
}

/** The title the server gives a job submitted without one (jobs.service.ts); not something the user typed. */
const GENERATED_TITLE = /^default_title_/;

/**
 * The parameters a stored job was submitted with, rebuilt from GetSmartHandleJob's SmartJobInfo.
 * GetSmartHandleJob does not report Overwrite; left out, the server's default (true) would let the
 * snippet of a job refused with OutputObjectExists overwrite that very file, so that one is false.
 */
export function paramsOfJob(job: {
  UserData: string;
  ErrorCode?: string;
  SmartJobInfo: { Title: string; Description: string; EditingConfig: string; InputConfig: { InputFile: string }; OutputConfig: { Bucket: string; Object: string }; Overwrite?: boolean | string };
}): Record<string, string> {
  const info = job.SmartJobInfo;
  const params: Record<string, string> = {
    InputConfig: info.InputConfig.InputFile,
    EditingConfig: info.EditingConfig,
    OutputConfig: JSON.stringify({ bucket: info.OutputConfig.Bucket, object: info.OutputConfig.Object }),
  };
  if (info.Overwrite !== undefined) params.Overwrite = String(info.Overwrite) === 'true' ? 'true' : 'false';
  else if (job.ErrorCode === 'OutputObjectExists') params.Overwrite = 'false';
  if (info.Title && !GENERATED_TITLE.test(info.Title)) params.Title = info.Title;
  if (info.Description) params.Description = info.Description;
  if (job.UserData) params.UserData = job.UserData;
  return params;
}
