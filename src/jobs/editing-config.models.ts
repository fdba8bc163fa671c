/**
 * EditingConfig (reference §1.2): parsing, validation and the normalised echo that
 * GetSmartHandleJob returns (defaults filled, keys sorted). Pure: no I/O.
 */
import { errors } from '../shared/errors.js';
import type { AudioFormat } from '../audio/audio.types.js';
import { parseWholeNumber } from './whole-number.models.js';

export const SAMPLE_RATES = [8000, 16000, 24000, 48000] as const;
export const SUBTITLE_FORMATS = ['srt', 'vtt', 'json'] as const;
export type SubtitleFormat = (typeof SUBTITLE_FORMATS)[number];

/** The decided defaults (reference §9 point 4 and §1.2). */
export const EDITING_DEFAULTS = {
  voice: 'Xiaoyun',
  format: 'MP3',
  volume: 50,
  speech_rate: 0,
  pitch_rate: 0,
  sample_rate: 16000,
} as const;

export interface EditingConfig {
  voice: string;
  /** Present only when the client sent it; it wins over voice (reference §1.2). */
  customizedVoice?: string;
  format: 'MP3' | 'WAV' | 'PCM';
  volume: number;
  speech_rate: number;
  pitch_rate: number;
  sample_rate: number;
  /** Narrate extension: subtitle files written beside the audio. */
  subtitles?: SubtitleFormat[];
  /** Narrate extension: add word timings to AiResult. */
  word_timings?: boolean;
}

const KNOWN_KEYS = ['voice', 'customizedVoice', 'format', 'volume', 'speech_rate', 'pitch_rate', 'sample_rate', 'subtitles', 'word_timings'];
const PARAM = 'EditingConfig';

/** Parses JSON text that must be an object; the error names the parameter. */
export function parseJsonObject(text: string, param: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw errors.invalidParameter(param, 'it must be a JSON object, and this is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw errors.invalidParameter(param, 'it must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

function integerIn(raw: unknown, key: string, min: number, max: number): number {
  // ICE clients send numbers; a string of decimal digits is accepted too, since some SDK users build the
  // JSON by hand (but not `0x10`, `1e1` or ` 50`: those are no integers).
  const value = typeof raw === 'string' ? parseWholeNumber(raw) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw errors.invalidParameter(`${PARAM}.${key}`, `it must be a whole number from ${min} to ${max}.`);
  if (value < min || value > max) throw errors.invalidParameter(`${PARAM}.${key}`, `${value} is outside ${min}…${max}.`);
  return value;
}

export function parseEditingConfig(text: string): EditingConfig {
  const raw = parseJsonObject(text, PARAM);
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.includes(key)) throw errors.invalidParameter(`${PARAM}.${key}`, `unknown key; the keys are ${KNOWN_KEYS.join(', ')}.`);
  }
  const config: EditingConfig = { ...EDITING_DEFAULTS };
  if (raw.voice !== undefined) {
    if (typeof raw.voice !== 'string' || raw.voice.trim() === '' || raw.voice.length > 128) throw errors.invalidParameter(`${PARAM}.voice`, 'it must be a voice name.');
    config.voice = raw.voice.trim();
  }
  if (raw.customizedVoice !== undefined && raw.customizedVoice !== '') {
    if (typeof raw.customizedVoice !== 'string' || raw.customizedVoice.length > 128) throw errors.invalidParameter(`${PARAM}.customizedVoice`, 'it must be a voice id.');
    config.customizedVoice = raw.customizedVoice.trim();
  }
  if (raw.format !== undefined) {
    const format = typeof raw.format === 'string' ? raw.format.toUpperCase() : '';
    if (format !== 'MP3' && format !== 'WAV' && format !== 'PCM') throw errors.invalidParameter(`${PARAM}.format`, 'it must be MP3, WAV or PCM.');
    config.format = format;
  }
  if (raw.volume !== undefined) config.volume = integerIn(raw.volume, 'volume', 0, 100);
  if (raw.speech_rate !== undefined) config.speech_rate = integerIn(raw.speech_rate, 'speech_rate', -500, 500);
  if (raw.pitch_rate !== undefined) config.pitch_rate = integerIn(raw.pitch_rate, 'pitch_rate', -500, 500);
  if (raw.sample_rate !== undefined) {
    const rate = integerIn(raw.sample_rate, 'sample_rate', 8000, 48000);
    if (!(SAMPLE_RATES as readonly number[]).includes(rate)) throw errors.invalidParameter(`${PARAM}.sample_rate`, `it must be one of ${SAMPLE_RATES.join(', ')}.`);
    config.sample_rate = rate;
  }
  if (raw.subtitles !== undefined) {
    const list = Array.isArray(raw.subtitles) ? raw.subtitles : null;
    if (!list || list.some((item) => typeof item !== 'string' || !(SUBTITLE_FORMATS as readonly string[]).includes(item.toLowerCase()))) {
      throw errors.invalidParameter(`${PARAM}.subtitles`, `it must be a list drawn from ${SUBTITLE_FORMATS.join(', ')}.`);
    }
    config.subtitles = [...new Set(list.map((item) => String(item).toLowerCase() as SubtitleFormat))];
  }
  if (raw.word_timings !== undefined) {
    if (typeof raw.word_timings !== 'boolean') throw errors.invalidParameter(`${PARAM}.word_timings`, 'it must be true or false.');
    config.word_timings = raw.word_timings;
  }
  return config;
}

/** The normalised JSON text stored with the job and echoed back: keys sorted, defaults filled. */
export function normalisedEditingConfig(config: EditingConfig): string {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(config).sort()) {
    const value = (config as unknown as Record<string, unknown>)[key];
    if (value !== undefined) sorted[key] = value;
  }
  return JSON.stringify(sorted);
}

export function audioFormatOf(config: Pick<EditingConfig, 'format'>): AudioFormat {
  return config.format.toLowerCase() as AudioFormat;
}
