/** Audio formats Narrate writes, and the streaming encoder contract. */

export type AudioFormat = 'mp3' | 'wav' | 'pcm';
export const SAMPLE_RATES = [8000, 16000, 24000, 48000] as const;
export type SampleRate = (typeof SAMPLE_RATES)[number];

/**
 * Streaming encoder: feed mono float samples (−1…1) at the target rate, get encoded bytes.
 * WAV cannot know its length up front, so `finish` also returns a header to write at offset 0.
 */
export interface AudioEncoder {
  readonly format: AudioFormat;
  readonly contentType: string;
  /** Bytes to write first (WAV: a placeholder header, replaced by finish().header). */
  start(): Uint8Array;
  encode(samples: Float32Array): Uint8Array;
  finish(): { tail: Uint8Array; header?: Uint8Array };
}
