/**
 * The speech pipeline: text or SSML in, encoded audio and sentence timings out.
 * prepare() checks everything (voice, SSML, length) without synthesising, so the API can refuse
 * bad input at submit time; render() synthesises segment by segment and streams the encoded
 * bytes out, so a long text never holds its whole audio in memory twice.
 */
import { createEncoder } from '../audio/audio.encoder.js';
import { applyGain } from '../audio/gain.models.js';
import { silence } from '../audio/samples.models.js';
import { pitchRateToRatio, speechRateToSpeed, volumeToGain } from '../audio/prosody.models.js';
import { stretchAndShift } from '../audio/rubberband.stretcher.js';
import { resampleAll } from '../audio/speex.resampler.js';
import type { AudioFormat } from '../audio/audio.types.js';
import type { TtsEngine } from '../engine/engine.types.js';
import { errors } from '../shared/errors.js';
import { checkPlainText, isSsmlInput, parseInput } from '../text/parse-input.js';
import type { SpeakOverrides, SpeechPiece } from '../text/text.types.js';
import type { EditingConfig } from '../jobs/editing-config.models.js';
import type { RenderResult, ResolvedVoice, SentenceTiming, SpeechCheck, SpeechPlan, VoiceResolverPort } from './speech.types.js';
import { pauseSamples, quietRun } from './sentence-pause.models.js';
import { wordsInShownText, type SpokenWord } from './word-text.models.js';

export const MAX_INPUT_CHARS = 10_000;
const NATIVE_SPEED = { min: 0.5, max: 2 } as const;
/** Pieces synthesised ahead of the encoder: enough to keep the engine busy, few enough to bound memory. */
const LOOKAHEAD_PIECES = 3;

/** The voice and output settings of a job: EditingConfig, with what <speak> attributes override. */
function outputSettings({ voice, overrides, editing }: { voice: ResolvedVoice; overrides: SpeakOverrides; editing: EditingConfig }): SpeechCheck {
  return {
    voice,
    format: overrides.format ?? (editing.format.toLowerCase() as AudioFormat),
    sampleRate: overrides.sampleRate ?? editing.sample_rate,
    volume: overrides.volume ?? editing.volume,
    speechRate: overrides.speechRate ?? editing.speech_rate,
    pitchRate: overrides.pitchRate ?? editing.pitch_rate,
  };
}

function abortIfNeeded(signal: AbortSignal | undefined) {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

export function createSpeechService({ engines, resolver }: { engines: Partial<Record<'espeak' | 'sherpa', TtsEngine>>; resolver: () => VoiceResolverPort }) {
  function resolveVoice(name: string, from: Parameters<typeof errors.invalidVoice>[1] = 'EditingConfig.voice'): ResolvedVoice {
    const voice = resolver().resolve(name);
    if (!voice || !engines[voice.engineVoice.engine]) throw errors.invalidVoice(name, from);
    return voice;
  }

  /** The job's voice before any SSML: customizedVoice wins over voice. */
  function editingVoice(editing: EditingConfig): ResolvedVoice {
    return editing.customizedVoice !== undefined ? resolveVoice(editing.customizedVoice, 'EditingConfig.customizedVoice') : resolveVoice(editing.voice);
  }

  function plan({ inputText, editing, normalize }: { inputText: string; editing: EditingConfig; normalize: boolean }): SpeechPlan {
    let voice = editingVoice(editing);
    let parsed = parseInput(inputText, { language: voice.language, maxChars: MAX_INPUT_CHARS, normalize });
    if (parsed.overrides.voice) {
      const override = resolveVoice(parsed.overrides.voice, 'InputConfig');
      // Numbers and dates are read in the voice's language, so a different voice may mean a different reading.
      if (override.language !== voice.language && normalize) parsed = parseInput(inputText, { language: override.language, maxChars: MAX_INPUT_CHARS, normalize });
      voice = override;
    }
    const segmentVoices = parsed.segments.map((segment) => (segment.voice ? resolveVoice(segment.voice, 'InputConfig') : voice));
    return { ...outputSettings({ voice, overrides: parsed.overrides, editing }), segmentVoices, parsed };
  }

  /** Checks everything and plans a render: segments, their voices, and the text as it will be read. */
  function prepare({ inputText, editing }: { inputText: string; editing: EditingConfig }): SpeechPlan {
    return plan({ inputText, editing, normalize: true });
  }

  /**
   * Submit-time validation: every check prepare() makes (voice, SSML, length), none of the work
   * that cannot fail. Plain text is only counted; SSML is parsed and segmented (its errors name
   * their position, and each segment's voice must exist) but numbers are not read as words.
   * The worker prepares again, in full, when it renders.
   */
  function check({ inputText, editing }: { inputText: string; editing: EditingConfig }): SpeechCheck {
    if (isSsmlInput(inputText)) {
      const { voice, format, sampleRate, volume, speechRate, pitchRate } = plan({ inputText, editing, normalize: false });
      return { voice, format, sampleRate, volume, speechRate, pitchRate };
    }
    const voice = editingVoice(editing);
    checkPlainText(inputText, MAX_INPUT_CHARS);
    return outputSettings({ voice, overrides: {}, editing });
  }

  /**
   * Synthesises one piece and returns it at the output rate, with its words (output-sample offsets),
   * its speed, and the silence the engine left at either end (measured before the volume, so a
   * quiet job gets the same pauses and timings as a loud one).
   */
  async function renderPiece({ piece, voice, plan, signal }: { piece: Exclude<SpeechPiece, { kind: 'silence' }>; voice: ResolvedVoice; plan: SpeechPlan; signal?: AbortSignal }): Promise<RenderedPiece> {
    const engine = engines[voice.engineVoice.engine]!;
    const speed = (plan.speedMultiplier ?? speechRateToSpeed(plan.speechRate)) * piece.prosody.rate;
    // Engines change speed natively (better sound) within 0.5–2×; Rubber Band stretches the rest.
    const nativeSpeed = Math.min(NATIVE_SPEED.max, Math.max(NATIVE_SPEED.min, speed));
    const tempo = speed / nativeSpeed;
    const usePhonemes = piece.kind === 'phoneme' && engine.supportsPhonemes(voice.engineVoice, piece.alphabet);
    const text = piece.kind === 'phoneme' ? (usePhonemes ? piece.phonemes : piece.text) : piece.text;
    if (text.trim() === '') return { samples: new Float32Array(0), words: [], spokenText: '', speed, leadingQuiet: 0, trailingQuiet: 0 };
    const ratio = pitchRateToRatio(plan.pitchRate) * piece.prosody.pitch * 2 ** (voice.pitchShiftSemitones / 12);
    const unchanged = Math.abs(ratio - 1) < 1e-6 && Math.abs(tempo - 1) < 1e-6;
    const audio = await engine.synthesize({
      text,
      voice: voice.engineVoice,
      speed: nativeSpeed,
      phonemes: usePhonemes && piece.kind === 'phoneme' ? piece.alphabet : undefined,
      // An engine with time to spare resamples in its own thread; a stretch must come first, at its rate.
      sampleRate: unchanged ? plan.sampleRate : undefined,
      signal,
    });
    const samples = unchanged ? audio.samples : await stretchAndShift({ samples: audio.samples, sampleRate: audio.sampleRate, tempo, pitchRatio: ratio, signal });
    const resampled = await resampleAll({ samples, from: audio.sampleRate, to: plan.sampleRate });
    // Volume and its limiter come last: resampling and stretching can overshoot a peak that was in range.
    const out = applyGain(resampled, volumeToGain(plan.volume) * piece.prosody.volume, { sampleRate: plan.sampleRate });
    const scale = plan.sampleRate / audio.sampleRate / tempo;
    const words = audio.words.map((word) => ({ offset: word.textOffset, sample: Math.round(word.startSample * scale) }));
    // Read as phonemes, the engine reports no words: the piece is one word, the text it stands for.
    const spoken = usePhonemes ? { words: [{ offset: 0, sample: 0 }], spokenText: piece.text } : { words, spokenText: text };
    return { samples: out, ...spoken, speed, leadingQuiet: quietRun(resampled, 'start'), trailingQuiet: quietRun(resampled, 'end') };
  }

  async function render({
    plan,
    write,
    signal,
    onProgress,
    wordTimings = false,
  }: {
    plan: SpeechPlan;
    write: (chunk: Uint8Array) => Promise<void>;
    signal?: AbortSignal;
    onProgress?: (fraction: number) => void;
    wordTimings?: boolean;
  }): Promise<RenderResult & { header?: Uint8Array }> {
    const encoder = await createEncoder({ format: plan.format, sampleRate: plan.sampleRate });
    let bytes = 0;
    const emit = async (chunk: Uint8Array) => {
      if (chunk.length === 0) return;
      bytes += chunk.length;
      await write(chunk);
    };
    await emit(encoder.start());
    const rate = plan.sampleRate;
    const toMs = (samples: number) => Math.round((samples * 1000) / rate);
    const timings: SentenceTiming[] = [];
    const spokenSpans: RenderResult['spoken'] = [];
    const totalChars = Math.max(1, plan.parsed.segments.reduce((sum, segment) => sum + segment.charCount, 0));
    let doneChars = 0;
    let position = 0;
    // Every piece in order; the next one is synthesised (off the main thread) while this one is encoded.
    const pieces = plan.parsed.segments.flatMap((segment, index) => segment.pieces.map((piece) => ({ piece, index })));
    const produce = (at: number) => {
      const { piece, index } = pieces[at]!;
      if (piece.kind === 'silence') {
        const samples = silence({ ms: piece.ms, sampleRate: rate });
        return Promise.resolve<RenderedPiece>({ samples, words: [], spokenText: '', isBreak: true, speed: 1, leadingQuiet: samples.length, trailingQuiet: samples.length });
      }
      return renderPiece({ piece, voice: plan.segmentVoices[index] ?? plan.voice, plan, signal });
    };
    // A few pieces are kept in flight so the engine thread never waits for the encoder.
    const inFlight: Array<ReturnType<typeof produce>> = [];
    let requested = 0;
    const topUp = () => {
      while (requested < pieces.length && inFlight.length < LOOKAHEAD_PIECES) {
        const next = produce(requested++);
        // Awaited later; until then a failure must not count as unhandled.
        next.catch(() => {});
        inFlight.push(next);
      }
    };
    topUp();
    for (const segment of plan.parsed.segments) {
      abortIfNeeded(signal);
      const begin = position;
      const words: SpokenWord[] = [];
      // The pieces' spoken texts, a space apart so no two become one token when aligned.
      let spokenText = '';
      let soundBegin: number | undefined;
      let soundEnd = 0;
      let last: RenderedPiece | undefined;
      for (let k = 0; k < segment.pieces.length; k++) {
        abortIfNeeded(signal);
        const rendered = await inFlight.shift()!;
        last = rendered;
        topUp();
        const samples = rendered.samples;
        if (rendered.spokenText !== '') {
          if (spokenText !== '') spokenText += ' ';
          for (const [i, word] of rendered.words.entries()) {
            const next = rendered.words[i + 1]?.sample ?? samples.length;
            words.push({ offset: spokenText.length + word.offset, begin_time: toMs(position + word.sample), end_time: toMs(position + Math.min(next, samples.length)) });
          }
          spokenText += rendered.spokenText;
        }
        if (!rendered.isBreak && rendered.leadingQuiet < samples.length) {
          soundBegin ??= position + rendered.leadingQuiet;
          soundEnd = position + samples.length - rendered.trailingQuiet;
        }
        await emit(encoder.encode(samples));
        position += samples.length;
      }
      // The pause belongs to the segment it follows (its end_time includes it). None after the
      // last segment, nor next to an SSML <break>, whose length is the pause the author asked for.
      const next = inFlight.length > 0 ? await inFlight[0] : undefined;
      if (last && !last.isBreak && next && !next.isBreak) {
        const pause = pauseSamples({ segmentText: segment.text, sentenceEnd: segment.sentenceEnd, speed: last.speed, sampleRate: rate, trailingQuiet: last.trailingQuiet, leadingQuiet: next.leadingQuiet });
        if (pause > 0) {
          await emit(encoder.encode(new Float32Array(pause)));
          position += pause;
        }
      }
      const beginMs = toMs(begin);
      const endMs = toMs(position);
      const timing: SentenceTiming = { text: segment.text, begin_time: beginMs, end_time: endMs, content: segment.text, from: beginMs / 1000, to: endMs / 1000 };
      if (wordTimings) timing.words = wordsInShownText({ shown: segment.text, spoken: spokenText, words });
      timings.push(timing);
      spokenSpans.push(soundBegin === undefined ? null : { begin_time: toMs(soundBegin), end_time: toMs(soundEnd) });
      doneChars += segment.charCount;
      onProgress?.(doneChars / totalChars);
    }
    const { tail, header } = encoder.finish();
    await emit(tail);
    return { timings, spoken: spokenSpans, samples: position, durationMs: toMs(position), bytes, header };
  }

  return { prepare, check, render, resolveVoice };
}

export type SpeechService = ReturnType<typeof createSpeechService>;

/** One piece at the output rate, as the encoder receives it. */
interface RenderedPiece {
  samples: Float32Array;
  /** Word starts: offset in `spokenText`, and sample from the piece's start. */
  words: Array<{ offset: number; sample: number }>;
  /** The text the words are in (what the engine read; for phonemes, what they stand for). */
  spokenText: string;
  /** An SSML <break>: silence the author sized. */
  isBreak?: boolean;
  /** Speaking-rate multiplier the piece was read at. */
  speed: number;
  /** Samples of silence at the start and at the end (all of them for a <break>). */
  leadingQuiet: number;
  trailingQuiet: number;
}
