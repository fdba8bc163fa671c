/**
 * Streaming MP3 encoder on LAME (wasm-media-encoders): mono, constant bitrate per MP3_BITRATE_KBPS,
 * starting with a gapless Info/LAME tag frame (start() gives a placeholder, finish().header the
 * real one, same length, to write at offset 0).
 */
import { createEncoder as createWasmEncoder } from 'wasm-media-encoders';
import type { AudioEncoder } from './audio.types.js';
import { concatBytes } from './bytes.models.js';
import { buildInfoFrame, crc16Arc, infoTagLayout, LAME_ENCODER_DELAY } from './mp3-info-tag.models.js';
import { MP3_BITRATE_KBPS, mp3SamplesPerFrame, type Mp3FrameHeader } from './mp3.models.js';
import { loadLameModule } from './wasm.loaders.js';

/**
 * Largest block handed to LAME at once. LAME's input buffer inside WASM grows to the biggest block
 * it has seen and never shrinks, so splitting keeps each encoder's memory bounded whatever chunk
 * size the caller uses (~64 KiB of floats).
 */
const MAX_BLOCK = 16384;

function mpegVersion(sampleRate: number): Mp3FrameHeader['version'] {
  return sampleRate >= 32000 ? '1' : sampleRate >= 16000 ? '2' : '2.5';
}

export async function createMp3Encoder({ sampleRate }: { sampleRate: number }): Promise<AudioEncoder> {
  const bitrate = MP3_BITRATE_KBPS[sampleRate];
  if (bitrate === undefined) {
    throw new RangeError(`MP3 output supports ${Object.keys(MP3_BITRATE_KBPS).join(', ')} Hz, not ${sampleRate}`);
  }
  const lame = await createWasmEncoder('audio/mpeg', await loadLameModule());
  // CBR with no resampling inside LAME: the pipeline has already resampled with speex.
  lame.configure({ sampleRate, channels: 1, bitrate, outputSampleRate: sampleRate as 8000 | 16000 | 24000 | 48000 });
  const version = mpegVersion(sampleRate);
  const layout = infoTagLayout({ version, sampleRate });
  const samplesPerFrame = mp3SamplesPerFrame(version);
  let samplesIn = 0;
  let audioBytes = 0;
  let musicCrc = 0;

  const account = (bytes: Uint8Array): Uint8Array => {
    audioBytes += bytes.length;
    musicCrc = crc16Arc(bytes, musicCrc);
    return bytes;
  };

  return {
    format: 'mp3',
    contentType: 'audio/mpeg',
    start: () => buildInfoFrame(layout),
    encode(samples) {
      samplesIn += samples.length;
      const out: Uint8Array[] = [];
      for (let offset = 0; offset < samples.length; offset += MAX_BLOCK) {
        // LAME returns a view into its own memory that the next call overwrites: copy it.
        out.push(lame.encode([samples.subarray(offset, offset + MAX_BLOCK)]).slice());
      }
      return account(concatBytes(out));
    },
    finish() {
      const tail = account(lame.finalize().slice());
      // CBR without padding bits at these bitrates/rates: every audio frame has the same size.
      const frameBytes = Math.floor(((samplesPerFrame / 8) * bitrate * 1000) / sampleRate);
      const frames = Math.round(audioBytes / frameBytes);
      const header = buildInfoFrame(layout, {
        frames,
        fileBytes: layout.frameBytes + audioBytes,
        delay: LAME_ENCODER_DELAY,
        padding: frames * samplesPerFrame - LAME_ENCODER_DELAY - samplesIn,
        bitrateKbps: bitrate,
        musicCrc,
      });
      return { tail, header };
    },
  };
}
