/**
 * Encoders beyond the ICE job formats. The ICE path keeps AudioFormat (mp3 | wav | pcm); the
 * OpenAI-compatible endpoint also streams Ogg Opus and FLAC, which ICE has no name for.
 */
import type { AudioEncoder, AudioFormat } from './audio.types.js';

/** Compressed formats only the OpenAI endpoint offers. */
export type ExtraAudioFormat = 'opus' | 'flac';
/** Every format a StreamEncoder can write. */
export type StreamFormat = AudioFormat | ExtraAudioFormat;

/** The AudioEncoder contract (float samples in, bytes out), with the wider format set. */
export interface StreamEncoder extends Omit<AudioEncoder, 'format'> {
  readonly format: StreamFormat;
  /**
   * Frees codec memory without finishing (a stream the client abandoned); idempotent, and implied
   * by finish(). Absent where garbage collection is enough.
   */
  release?(): void;
}
