/** Raw PCM and WAV encoders: 16-bit little-endian mono, the WAV one with a RIFF header. */
import type { AudioEncoder } from './audio.types.js';
import { floatToInt16 } from './samples.models.js';
import { wavHeader } from './wav.models.js';

/** Float samples → 16-bit little-endian bytes (explicit LE so the output never depends on the host). */
export function floatToPcm16le(samples: Float32Array): Uint8Array {
  const ints = floatToInt16(samples);
  const bytes = new Uint8Array(ints.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < ints.length; i++) view.setInt16(i * 2, ints[i], true);
  return bytes;
}

/**
 * Raw PCM. Content type is application/octet-stream on purpose: the registered `audio/L16` type
 * means big-endian, and this stream is little-endian (what ICE and NLS deliver for `PCM`).
 */
export function createPcmEncoder(): AudioEncoder {
  return {
    format: 'pcm',
    contentType: 'application/octet-stream',
    start: () => new Uint8Array(0),
    encode: floatToPcm16le,
    finish: () => ({ tail: new Uint8Array(0) }),
  };
}

/** RIFF/WAVE 16-bit mono. start() gives an unknown-length header; finish().header the exact one. */
export function createWavEncoder({ sampleRate }: { sampleRate: number }): AudioEncoder {
  let dataBytes = 0;
  return {
    format: 'wav',
    contentType: 'audio/wav',
    start: () => wavHeader({ sampleRate }),
    encode(samples) {
      const bytes = floatToPcm16le(samples);
      dataBytes += bytes.length;
      return bytes;
    },
    finish: () => ({ tail: new Uint8Array(0), header: wavHeader({ sampleRate, dataBytes }) }),
  };
}
