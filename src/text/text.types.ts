/**
 * What the text front end hands to the speech pipeline: the input (plain text or SSML) split into
 * segments at punctuation, each with the pieces the engine must speak.
 */

/** Relative prosody from SSML <prosody>, multiplied onto the job's own settings. */
export interface PieceProsody {
  /** Speaking-rate multiplier (1 = as the job says). */
  rate: number;
  /** Pitch frequency ratio (1 = as the job says). */
  pitch: number;
  /** Linear gain (1 = as the job says). */
  volume: number;
}

export type SpeechPiece =
  /** Words to speak: normalised (numbers, dates, times as words in the segment's language). */
  | { kind: 'text'; text: string; prosody: PieceProsody }
  /** SSML <phoneme>: the engine reads phonemes; `text` is what it stands for (used if the engine cannot). */
  | { kind: 'phoneme'; alphabet: 'pinyin' | 'ipa'; phonemes: string; text: string; prosody: PieceProsody }
  /** SSML <break> or a pause. */
  | { kind: 'silence'; ms: number };

export interface SpeechSegment {
  /**
   * The display text of this segment: the slice of the input (for SSML, of the spoken text) it covers,
   * including its closing punctuation. Concatenating all segments' `text` gives the input text back
   * (whitespace aside). This is what timings report.
   */
  text: string;
  pieces: SpeechPiece[];
  /** Voice override from the enclosing <speak voice="...">, if any. */
  voice?: string;
  /** Characters this segment counts for, by the reference's rule (§8), for progress. */
  charCount: number;
  /** Ended by an SSML <s> or <p> edge: a sentence, whatever its punctuation. */
  sentenceEnd?: boolean;
}

/** Values given as attributes of <speak>; they override EditingConfig (reference §1.4). */
export interface SpeakOverrides {
  voice?: string;
  format?: 'mp3' | 'wav' | 'pcm';
  sampleRate?: number;
  /** ICE units, −500…500. */
  speechRate?: number;
  pitchRate?: number;
  /** 0–100. */
  volume?: number;
}

export interface ParsedInput {
  isSsml: boolean;
  segments: SpeechSegment[];
  /** Characters by the reference's rule: every character counts 1, SSML tags do not count. */
  charCount: number;
  overrides: SpeakOverrides;
}

export interface ParseOptions {
  /** The voice's primary language: decides how numbers and dates are read where the text itself does not. */
  language: 'zh' | 'en';
  /** Limit on charCount (10,000); over it parseInput throws errors.textTooLong. */
  maxChars: number;
  /**
   * Read numbers, dates and the like as words (default true). Submit-time validation turns it off:
   * normalising never fails, so skipping it changes no answer and saves work on the hot path.
   */
  normalize?: boolean;
}
