import type { AudioFormat } from '../audio/audio.types.js';
import type { ResolvedVoice } from '../voices/voices.types.js';
import type { ParsedInput } from '../text/text.types.js';

export type { ResolvedVoice };

export interface VoiceResolverPort {
  resolve(name: string): ResolvedVoice | null;
}

/** Everything needed to render one job, checked up front so nothing invalid is ever queued. */
/** What submit-time validation returns (SpeechService.check): the voice and output settings. */
export type SpeechCheck = Pick<SpeechPlan, 'voice' | 'format' | 'sampleRate' | 'volume' | 'speechRate' | 'pitchRate'>;

export interface SpeechPlan {
  voice: ResolvedVoice;
  /** Per-segment voices where <speak voice="..."> switched it (index = segment index). */
  segmentVoices: ResolvedVoice[];
  parsed: ParsedInput;
  format: AudioFormat;
  sampleRate: number;
  /** 0–100, 50 unchanged. */
  volume: number;
  /** −500…500 ICE units. */
  speechRate: number;
  pitchRate: number;
  /**
   * Speaking-rate multiplier that replaces speechRate when set (the OpenAI endpoint's `speed`,
   * 0.25–4, a wider range than ICE's 0.5–2).
   */
  speedMultiplier?: number;
}

/** One entry of AiResult: both the documented ICE shape and the engine-native one (reference §2.4). */
export interface SentenceTiming {
  text: string;
  begin_time: number;
  end_time: number;
  content: string;
  from: number;
  to: number;
  /** Word timings (Narrate extension), when asked for and the engine reports words. */
  words?: Array<{ text: string; begin_time: number; end_time: number }>;
}

export interface RenderResult {
  timings: SentenceTiming[];
  /**
   * Where each sentence's sound is (ms, index = timings' index; null if it made none): inside its
   * span, without the silence a <break> or the pause after it adds. What subtitles show; not part
   * of AiResult, whose spans must tile the audio.
   */
  spoken?: Array<{ begin_time: number; end_time: number } | null>;
  /** Output samples written (at plan.sampleRate). */
  samples: number;
  durationMs: number;
  bytes: number;
}
