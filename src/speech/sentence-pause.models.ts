/**
 * The pause a listener expects after a segment's closing punctuation. The pipeline synthesises
 * segment by segment, and an engine called on one clause ends it without the pause it would have
 * made before the next one (eSpeak NG: ~7 ms of silence at the end of a call, against ~170 ms
 * after a comma and ~320 ms after a full stop inside one call), so without this the sentences of
 * a job run into each other.
 */
import { msToSamples } from '../audio/samples.models.js';

/** Pauses at speed 1, in ms: eSpeak NG's own at 175 wpm (the gap it leaves inside one call). */
export const SENTENCE_PAUSE_MS = { sentence: 320, clause: 250, comma: 170 } as const;

/** Below this (−60 dBFS) a sample counts as silence when measuring what the engine already left. */
export const QUIET_LEVEL = 1e-3;

// Closing quotes and brackets after the punctuation do not change what it asks for.
const CLOSERS = /[\s"'”’»」』）)\]】》〉]+$/u;
const SENTENCE_END = /[。！？!?.．]$/u;
const CLAUSE_END = /[；;：:…]$|\.\.\.$/u;
const COMMA_END = /[，,、]$/u;

/**
 * The pause (ms, at speed 1) a segment asks for: its closing punctuation's, or a sentence's when
 * an SSML <s> or <p> ended it (with or without a stop); none when it ends in neither (a long run
 * cut at a space), as a single call would.
 */
export function pauseAfterMs(segmentText: string, { sentenceEnd = false }: { sentenceEnd?: boolean } = {}): number {
  if (sentenceEnd) return SENTENCE_PAUSE_MS.sentence;
  const text = segmentText.replace(CLOSERS, '');
  if (CLAUSE_END.test(text)) return SENTENCE_PAUSE_MS.clause;
  if (SENTENCE_END.test(text)) return SENTENCE_PAUSE_MS.sentence;
  if (COMMA_END.test(text)) return SENTENCE_PAUSE_MS.comma;
  return 0;
}

/** Samples of silence at the start (`from: 'start'`) or end of `samples`. */
export function quietRun(samples: Float32Array, from: 'start' | 'end'): number {
  const n = samples.length;
  let run = 0;
  if (from === 'start') while (run < n && Math.abs(samples[run]!) < QUIET_LEVEL) run++;
  else while (run < n && Math.abs(samples[n - 1 - run]!) < QUIET_LEVEL) run++;
  return run;
}

/**
 * Silence (samples) to insert between two segments so the gap the listener hears is the pause
 * the first one's punctuation asks for, scaled with the speaking rate: what the engine already
 * left at the end of one and the start of the next counts toward it.
 */
export function pauseSamples({
  segmentText,
  sentenceEnd,
  speed,
  sampleRate,
  trailingQuiet,
  leadingQuiet,
}: {
  segmentText: string;
  sentenceEnd?: boolean;
  speed: number;
  sampleRate: number;
  trailingQuiet: number;
  leadingQuiet: number;
}): number {
  const target = msToSamples({ ms: pauseAfterMs(segmentText, { sentenceEnd }) / speed, sampleRate });
  return Math.max(0, target - trailingQuiet - leadingQuiet);
}
