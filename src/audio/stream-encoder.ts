/**
 * Encoders for every StreamFormat, and a transcoder that turns the speech pipeline's raw PCM into
 * Opus or FLAC. The pipeline (and the ICE job path) knows only AudioFormat; the OpenAI endpoint
 * renders `pcm` and re-encodes it here, which is lossless: PCM is exactly the 16-bit samples every
 * encoder quantises to anyway.
 */
import { createEncoder } from './audio.encoder.js';
import { concatBytes } from './bytes.models.js';
import { CONTENT_TYPES } from './content-types.js';
import { createFlacEncoder } from './flac.encoder.js';
import { createOggOpusEncoder } from './opus.encoder.js';
import { int16ToFloat } from './samples.models.js';
import type { ExtraAudioFormat, StreamEncoder, StreamFormat } from './stream-encoder.types.js';

/** Content types as OpenAI's endpoint sends them. */
export const STREAM_CONTENT_TYPES: Record<StreamFormat, string> = {
  ...CONTENT_TYPES,
  // Ogg Opus (RFC 7845); OpenAI labels it audio/opus, which players accept for Ogg Opus.
  opus: 'audio/opus',
  flac: 'audio/flac',
};

export const EXTRA_FORMATS: readonly ExtraAudioFormat[] = ['opus', 'flac'];

export function isExtraFormat(format: string): format is ExtraAudioFormat {
  return (EXTRA_FORMATS as readonly string[]).includes(format);
}

/** A fresh streaming encoder for any StreamFormat; mp3/wav/pcm are the ICE path's own encoders. */
export async function createStreamEncoder({ format, sampleRate }: { format: StreamFormat; sampleRate: number }): Promise<StreamEncoder> {
  switch (format) {
    case 'opus':
      return createOggOpusEncoder({ sampleRate });
    case 'flac':
      return createFlacEncoder({ sampleRate });
    default:
      return createEncoder({ format, sampleRate });
  }
}

/**
 * Raw 16-bit little-endian mono PCM in (any chunking, even odd byte counts), `format` out.
 * start() gives the stream's header bytes, push() the bytes each chunk completes, finish() the
 * rest. Streams cannot seek back, so a final header from the encoder is not used.
 */
export async function createPcmTranscoder({ format, sampleRate }: { format: ExtraAudioFormat; sampleRate: number }) {
  const encoder = await createStreamEncoder({ format, sampleRate });
  /** The first byte of a sample split across two chunks. */
  let carry: number | null = null;

  return {
    contentType: encoder.contentType,
    start: () => encoder.start(),
    push(chunk: Uint8Array): Uint8Array {
      let bytes = chunk;
      if (carry !== null && chunk.length > 0) {
        bytes = concatBytes([Uint8Array.of(carry), chunk]);
        carry = null;
      }
      const whole = bytes.length & ~1;
      if (whole < bytes.length) carry = bytes[whole];
      if (whole === 0) return new Uint8Array(0);
      const ints = new Int16Array(whole / 2);
      const view = new DataView(bytes.buffer, bytes.byteOffset, whole);
      for (let i = 0; i < ints.length; i++) ints[i] = view.getInt16(i * 2, true);
      return encoder.encode(int16ToFloat(ints));
    },
    finish(): Uint8Array {
      return encoder.finish().tail;
    },
    release() {
      encoder.release?.();
    },
  };
}

export type PcmTranscoder = Awaited<ReturnType<typeof createPcmTranscoder>>;
