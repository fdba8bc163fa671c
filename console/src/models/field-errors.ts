/**
 * Which form field a server validation error is about. The server names the parameter in the
 * Message ("The specified parameter EditingConfig.volume is not valid: …") or in the Code
 * ("MissingInputConfig"); both are mapped to the console's field names.
 */

export type FormField =
  | 'text'
  | 'voice'
  | 'format'
  | 'sampleRate'
  | 'volume'
  | 'speechRate'
  | 'pitchRate'
  | 'subtitles'
  | 'title'
  | 'description'
  | 'notifyAddress'
  | 'overwrite'
  | 'bucket'
  | 'object';

const BY_PARAMETER: Record<string, FormField> = {
  InputConfig: 'text',
  'EditingConfig.voice': 'voice',
  'EditingConfig.customizedVoice': 'voice',
  'EditingConfig.format': 'format',
  'EditingConfig.sample_rate': 'sampleRate',
  'EditingConfig.volume': 'volume',
  'EditingConfig.speech_rate': 'speechRate',
  'EditingConfig.pitch_rate': 'pitchRate',
  'EditingConfig.subtitles': 'subtitles',
  Title: 'title',
  Description: 'description',
  UserData: 'notifyAddress',
  'UserData.NotifyAddress': 'notifyAddress',
  Overwrite: 'overwrite',
  OutputConfig: 'object',
  'OutputConfig.bucket': 'bucket',
  'OutputConfig.object': 'object',
};

const BY_CODE: Record<string, FormField> = {
  'InvalidParameter.Voice': 'voice',
  'InvalidParameter.TextTooLong': 'text',
  'InvalidParameter.Ssml': 'text',
};

/** The field an ICE error names, or null when it names none (then it is shown above the form). */
export function fieldOfError({ code, message }: { code: string; message: string }): FormField | null {
  const named = /The specified parameter ([\w.]+) is not valid/.exec(message)?.[1];
  if (named && BY_PARAMETER[named]) return BY_PARAMETER[named];
  const missing = /^Missing([A-Z]\w+)$/.exec(code)?.[1];
  if (missing && BY_PARAMETER[missing]) return BY_PARAMETER[missing];
  if (BY_CODE[code]) return BY_CODE[code];
  // Messages that start with the parameter ("InputConfig has 10001 characters; …").
  const leading = /^([A-Z]\w+(?:\.\w+)?)\b/.exec(message)?.[1];
  if (leading && BY_PARAMETER[leading]) return BY_PARAMETER[leading];
  return null;
}
