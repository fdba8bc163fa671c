import type { Gender, Language } from './engine.types.js';

/**
 * The eSpeak NG voices the service offers, and the voice variants (files in
 * espeak-ng-data/voices/!v) that make them female, male or child. A variant is applied as
 * `<voice>+<variant>`; the empty variant is eSpeak's default voice, which is male.
 *
 * Pitch ranges are the variants' own `pitch` lines (base and range in Hz): the f* variants sit near
 * 140–240 Hz, the m* variants near 70–125 Hz, and `zac` (240–390 Hz with formants raised 45 %) is
 * the only variant that sounds like a child.
 */
export const ESPEAK_VARIANTS: ReadonlyArray<{ variant: string; gender: Gender }> = [
  { variant: '', gender: 'male' },
  { variant: 'm1', gender: 'male' },
  { variant: 'm2', gender: 'male' },
  { variant: 'm3', gender: 'male' },
  { variant: 'm4', gender: 'male' },
  { variant: 'm5', gender: 'male' },
  { variant: 'm6', gender: 'male' },
  { variant: 'm7', gender: 'male' },
  { variant: 'f1', gender: 'female' },
  { variant: 'f2', gender: 'female' },
  { variant: 'f3', gender: 'female' },
  { variant: 'f4', gender: 'female' },
  { variant: 'f5', gender: 'female' },
  { variant: 'zac', gender: 'child' },
];

/**
 * The voices offered (EngineVoice.model), the languages they serve, and the name eSpeak selects
 * them by (British English is plain `en` there; `en-gb` is only a language tag of it).
 */
export const ESPEAK_MODELS: ReadonlyArray<{ model: string; espeakName: string; languages: Language[] }> = [
  { model: 'cmn', espeakName: 'cmn', languages: ['zh'] },
  { model: 'en-us', espeakName: 'en-us', languages: ['en'] },
  { model: 'en-gb', espeakName: 'en', languages: ['en'] },
];

/** The voice eSpeak reads numbered pinyin with (`ni3 hao3`), for SSML <phoneme alphabet="pinyin">. */
export const ESPEAK_PINYIN_MODEL = 'cmn-latn-pinyin';

/** eSpeak NG's output rate. */
export const ESPEAK_SAMPLE_RATE = 22050;

/** eSpeak's rate at speed 1, and the range it accepts (it clamps outside it, in words per minute). */
export const ESPEAK_DEFAULT_WPM = 175;
export const ESPEAK_MIN_WPM = 80;
export const ESPEAK_MAX_WPM = 450;

/** Words per minute for a speed multiplier, clamped to what eSpeak accepts (speed 0.46–2.57). */
export function espeakRate(speed: number): number {
  const wpm = Math.round(ESPEAK_DEFAULT_WPM * (Number.isFinite(speed) && speed > 0 ? speed : 1));
  return Math.min(ESPEAK_MAX_WPM, Math.max(ESPEAK_MIN_WPM, wpm));
}
