/** Streaming MP3 encoder on LAME (wasm-media-encoders): mono, constant bitrate per MP3_BITRATE_KBPS. */
import { createEncoder as createWasmEncoder } from 'wasm-media-encoders';
import type { AudioEncoder } from './audio.types.js';
import { MP3_BITRATE_KBPS } from './mp3.models.js';
import { concatBytes } from './bytes.models.js';
import { loadLameModule } from './wasm.loaders.js';

/**
 * Largest block handed to LAME at once. LAME's input buffer inside WASM grows to the biggest block
 * it has seen and never shrinks, so splitting keeps each encoder's memory bounded whatever chunk
 * size the caller uses (~64 KiB of floats).
 */
const MAX_BLOCK = 16384;

export async function createMp3Encoder({ sampleRate }: { sampleRate: number }): Promise<AudioEncoder> {
  const bitrate = MP3_BITRATE_KBPS[sampleRate];
  if (bitrate === undefined) {
    throw new RangeError(`MP3 output supports ${Object.keys(MP3_BITRATE_KBPS).join(', ')} Hz, not ${sampleRate}`);
  }
  const lame = await createWasmEncoder('audio/mpeg', await loadLameModule());
  // CBR with no resampling inside LAME: the pipeline has already resampled with speex.
  lame.configure({ sampleRate, channels: 1, bitrate, outputSampleRate: sampleRate as 8000 | 16000 | 24000 | 48000 });
  return {
    format: 'mp3',
    contentType: 'audio/mpeg',
    start: () => new Uint8Array(0),
    encode(samples) {
      const out: Uint8Array[] = [];
      for (let offset = 0; offset < samples.length; offset += MAX_BLOCK) {
        // LAME returns a view into its own memory that the next call overwrites: copy it.
        out.push(lame.encode([samples.subarray(offset, offset + MAX_BLOCK)]).slice());
      }
      return concatBytes(out);
    },
    finish: () => ({ tail: lame.finalize().slice() }),
  };
}
