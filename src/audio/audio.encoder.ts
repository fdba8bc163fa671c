/** The one entry point for encoders: picks the implementation for an AudioFormat. */
import type { AudioEncoder, AudioFormat } from './audio.types.js';
import { createMp3Encoder } from './mp3.encoder.js';
import { createPcmEncoder, createWavEncoder } from './pcm.encoder.js';

/**
 * A fresh streaming encoder for one output file. Async because the MP3 encoder instantiates its
 * WASM (the compiled module is cached, so this costs well under a millisecond after the first).
 * Feed mono float samples already at `sampleRate`.
 */
export async function createEncoder({ format, sampleRate }: { format: AudioFormat; sampleRate: number }): Promise<AudioEncoder> {
  switch (format) {
    case 'mp3':
      return createMp3Encoder({ sampleRate });
    case 'wav':
      return createWavEncoder({ sampleRate });
    case 'pcm':
      return createPcmEncoder();
  }
}

/** File extension for a format (the ICE object key gets `.` + this). */
export function extensionFor(format: AudioFormat): string {
  return format;
}
