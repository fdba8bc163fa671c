/**
 * Pure parsers for SSML attribute values. Each returns the parsed value or a reason string saying
 * what is wrong, so the caller can attach the position of the tag.
 */
import type { PieceProsody, SpeakOverrides } from './text.types.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(reason: string): Parsed<T> => ({ ok: false, reason });

/** Longest pause one <break> may ask for (Alibaba's limit). */
export const MAX_BREAK_MS = 10_000;

/** <break strength="..."> in milliseconds (Alibaba NLS values; `medium` is also the default of a bare <break/>). */
export const BREAK_STRENGTH_MS: Readonly<Record<string, number>> = {
  none: 0,
  'x-weak': 250,
  weak: 500,
  medium: 750,
  strong: 1000,
  'x-strong': 1250,
};

export function parseBreakTime(value: string): Parsed<number> {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/i.exec(value);
  if (!match) return fail(`time="${value}" must be a duration such as "500ms" or "2s"`);
  const ms = Math.round(Number(match[1]) * (match[2].toLowerCase() === 's' ? 1000 : 1));
  if (ms > MAX_BREAK_MS) return fail(`time="${value}" is longer than ${MAX_BREAK_MS / 1000}s`);
  return ok(ms);
}

export function parseBreakStrength(value: string): Parsed<number> {
  const ms = BREAK_STRENGTH_MS[value.trim()];
  if (ms === undefined) return fail(`strength="${value}" must be one of ${Object.keys(BREAK_STRENGTH_MS).join(', ')}`);
  return ok(ms);
}

/** <prosody rate>: named speeds, as multipliers of the job's rate. */
export const PROSODY_RATE_NAMES: Readonly<Record<string, number>> = {
  'x-slow': 0.5,
  slow: 0.75,
  medium: 1,
  default: 1,
  fast: 1.25,
  'x-fast': 1.5,
};

/** <prosody pitch>: named pitches, as frequency ratios. */
export const PROSODY_PITCH_NAMES: Readonly<Record<string, number>> = {
  'x-low': 0.8,
  low: 0.9,
  medium: 1,
  default: 1,
  high: 1.1,
  'x-high': 1.2,
};

/** <prosody volume>: named loudness, as linear gains. */
export const PROSODY_VOLUME_NAMES: Readonly<Record<string, number>> = {
  silent: 0,
  'x-soft': 0.25,
  soft: 0.5,
  medium: 1,
  default: 1,
  loud: 1.5,
  'x-loud': 2,
};

/** Bounds on one <prosody>'s multiplier; outside them speech is unintelligible or clips. */
export const PROSODY_LIMITS = {
  rate: { min: 0.25, max: 4 },
  pitch: { min: 0.5, max: 2 },
  volume: { min: 0, max: 4 },
} as const;

const NUMBER = String.raw`(\d+(?:\.\d+)?|\.\d+)`;

/** rate: x-slow..x-fast, "150%" (of the normal rate), "+20%" / "-20%" (change), or a multiplier "1.5". */
export function parseProsodyRate(value: string): Parsed<number> {
  const text = value.trim();
  let factor: number | undefined = PROSODY_RATE_NAMES[text];
  let match: RegExpExecArray | null;
  if (factor === undefined && (match = new RegExp(`^([+-])${NUMBER}%$`).exec(text))) factor = 1 + sign(match[1]) * Number(match[2]) / 100;
  else if (factor === undefined && (match = new RegExp(`^${NUMBER}%$`).exec(text))) factor = Number(match[1]) / 100;
  else if (factor === undefined && (match = new RegExp(`^${NUMBER}$`).exec(text))) factor = Number(match[1]);
  if (factor === undefined) return fail(`rate="${value}" must be x-slow, slow, medium, fast, x-fast, a percentage or a multiplier`);
  return withinLimits('rate', value, factor);
}

/** pitch: x-low..x-high, "+10%" / "-10%", or semitones "+2st" / "-3st". */
export function parseProsodyPitch(value: string): Parsed<number> {
  const text = value.trim();
  let factor: number | undefined = PROSODY_PITCH_NAMES[text];
  let match: RegExpExecArray | null;
  if (factor === undefined && (match = new RegExp(`^([+-])${NUMBER}%$`).exec(text))) factor = 1 + sign(match[1]) * Number(match[2]) / 100;
  else if (factor === undefined && (match = new RegExp(`^([+-]?)${NUMBER}st$`).exec(text))) factor = 2 ** ((sign(match[1]) * Number(match[2])) / 12);
  if (factor === undefined) return fail(`pitch="${value}" must be x-low, low, medium, high, x-high, "+N%"/"-N%" or semitones like "+2st"`);
  return withinLimits('pitch', value, factor);
}

/** volume: silent..x-loud, "+6dB" / "-6dB", "+10%" / "-10%", "80%" (of normal) or 0–100 (SSML 1.0 scale, 100 = normal). */
export function parseProsodyVolume(value: string): Parsed<number> {
  const text = value.trim();
  let factor: number | undefined = PROSODY_VOLUME_NAMES[text];
  let match: RegExpExecArray | null;
  if (factor === undefined && (match = new RegExp(`^([+-]?)${NUMBER}dB$`, 'i').exec(text))) factor = 10 ** ((sign(match[1]) * Number(match[2])) / 20);
  else if (factor === undefined && (match = new RegExp(`^([+-])${NUMBER}%$`).exec(text))) factor = 1 + sign(match[1]) * Number(match[2]) / 100;
  else if (factor === undefined && (match = new RegExp(`^${NUMBER}%$`).exec(text))) factor = Number(match[1]) / 100;
  else if (factor === undefined && (match = new RegExp(`^${NUMBER}$`).exec(text))) {
    const level = Number(match[1]);
    if (level > 100) return fail(`volume="${value}" must be between 0 and 100`);
    factor = level / 100;
  }
  if (factor === undefined) return fail(`volume="${value}" must be silent, x-soft, soft, medium, loud, x-loud, "+NdB", a percentage or 0–100`);
  return withinLimits('volume', value, factor);
}

function sign(text: string | undefined): number {
  return text === '-' ? -1 : 1;
}

function withinLimits(name: keyof typeof PROSODY_LIMITS, value: string, factor: number): Parsed<number> {
  const { min, max } = PROSODY_LIMITS[name];
  if (!Number.isFinite(factor) || factor < min || factor > max) {
    return fail(`${name}="${value}" is out of range (it must come to between ${min}× and ${max}×)`);
  }
  return ok(factor);
}

/**
 * Nested prosody multiplies, within the same bounds as one <prosody>: six nested rate="25%" would
 * otherwise ask for 1/4096 of the speed (hours of audio from a word, and a stretch Rubber Band
 * cannot do).
 */
export function multiplyProsody(a: PieceProsody, b: Partial<PieceProsody>): PieceProsody {
  const within = (name: keyof typeof PROSODY_LIMITS, value: number) => Math.min(PROSODY_LIMITS[name].max, Math.max(PROSODY_LIMITS[name].min, value));
  return { rate: within('rate', a.rate * (b.rate ?? 1)), pitch: within('pitch', a.pitch * (b.pitch ?? 1)), volume: within('volume', a.volume * (b.volume ?? 1)) };
}

export const NEUTRAL_PROSODY: PieceProsody = Object.freeze({ rate: 1, pitch: 1, volume: 1 });

const SAMPLE_RATES = [8000, 16000, 24000, 48000];

/** Parses the Alibaba-specific attributes of <speak> into overrides of EditingConfig (reference §1.4). */
export function parseSpeakAttribute(name: string, value: string): Parsed<Partial<SpeakOverrides>> {
  switch (name) {
    case 'voice':
      if (!/^[A-Za-z0-9_.-]{1,64}$/.test(value)) return fail(`voice="${value}" is not a voice name`);
      return ok({ voice: value });
    case 'rate':
    case 'pitch': {
      const parsed = parseInteger(value, -500, 500);
      if (parsed === undefined) return fail(`${name}="${value}" must be an integer from -500 to 500`);
      return ok(name === 'rate' ? { speechRate: parsed } : { pitchRate: parsed });
    }
    case 'volume': {
      const parsed = parseInteger(value, 0, 100);
      if (parsed === undefined) return fail(`volume="${value}" must be an integer from 0 to 100`);
      return ok({ volume: parsed });
    }
    case 'encodeType': {
      const format = value.trim().toLowerCase();
      if (format !== 'mp3' && format !== 'wav' && format !== 'pcm') return fail(`encodeType="${value}" must be PCM, WAV or MP3`);
      return ok({ format });
    }
    case 'sampleRate': {
      // Decimal digits only, as for the numbers in EditingConfig: Number() would also take "0x3E80" or "16e3".
      const rate = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
      if (!SAMPLE_RATES.includes(rate)) return fail(`sampleRate="${value}" must be one of ${SAMPLE_RATES.join(', ')}`);
      return ok({ sampleRate: rate });
    }
    default:
      return fail(`attribute "${name}" is not allowed on <speak>`);
  }
}

function parseInteger(value: string, min: number, max: number): number | undefined {
  if (!/^\s*[+-]?\d+\s*$/.test(value)) return undefined;
  const number = Number(value.trim());
  return number >= min && number <= max ? number : undefined;
}

/**
 * ICE speech_rate (−500…500) to a speed multiplier, the documented inverse (reference §1.2):
 * −500 → 0.5×, 0 → 1×, 500 → 2×.
 */
export function speechRateToMultiplier(rate: number): number {
  return rate <= 0 ? 1 / (1 + 0.002 * -rate) : 1 / (1 - 0.001 * rate);
}

/**
 * ICE pitch_rate (−500…500) to a frequency ratio. Undocumented by Alibaba; we use the same curve as
 * speech_rate (−500 → 0.5, 500 → 2) so the two behave alike. Only used to express a later <speak>
 * block's pitch relative to the job's.
 */
export function pitchRateToRatio(rate: number): number {
  return speechRateToMultiplier(rate);
}
