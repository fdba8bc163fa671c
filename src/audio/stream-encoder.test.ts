import { describe, expect, it } from 'vitest';
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import { concatBytes } from './bytes.models.js';
import { floatToPcm16le } from './pcm.encoder.js';
import { floatToInt16 } from './samples.models.js';
import { createPcmTranscoder, createStreamEncoder, isExtraFormat, STREAM_CONTENT_TYPES } from './stream-encoder.js';

const tone = Float32Array.from({ length: 24000 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 330 * i) / 24000));

/** Cuts bytes at odd places, so samples are split across chunks. */
function oddChunks(bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (let size = 1; offset < bytes.length; size = (size * 7 + 3) % 5001) {
    chunks.push(bytes.subarray(offset, offset + size));
    offset += size;
  }
  return chunks;
}

function transcodeAll(transcoder: Awaited<ReturnType<typeof createPcmTranscoder>>, pcm: Uint8Array) {
  return concatBytes([transcoder.start(), ...oddChunks(pcm).map((c) => transcoder.push(c)), transcoder.push(new Uint8Array(0)), transcoder.finish()]);
}

describe('createPcmTranscoder', () => {
  it('turns 16-bit PCM cut anywhere into FLAC holding exactly those samples', async () => {
    const pcm = floatToPcm16le(tone);
    const transcoder = await createPcmTranscoder({ format: 'flac', sampleRate: 24000 });
    expect(transcoder.contentType).toBe('audio/flac');
    const flac = transcodeAll(transcoder, pcm);
    const decoder = new FLACDecoder();
    await decoder.ready;
    const { channelData, samplesDecoded } = await decoder.decodeFile(flac);
    decoder.free();
    expect(samplesDecoded).toBe(tone.length);
    expect(Buffer.from(floatToInt16(channelData[0]).buffer).equals(Buffer.from(pcm))).toBe(true);
  });

  it('turns PCM into Ogg Opus of the same duration', async () => {
    const transcoder = await createPcmTranscoder({ format: 'opus', sampleRate: 24000 });
    expect(transcoder.contentType).toBe('audio/opus');
    const opus = transcodeAll(transcoder, floatToPcm16le(tone));
    const decoder = new OggOpusDecoder();
    await decoder.ready;
    const { samplesDecoded } = await decoder.decodeFile(opus);
    decoder.free();
    expect(samplesDecoded).toBe(48000);
  });
});

describe('createStreamEncoder', () => {
  it('hands mp3/wav/pcm to the ICE encoders and opus/flac to the new ones', async () => {
    for (const format of ['mp3', 'wav', 'pcm', 'opus', 'flac'] as const) {
      const encoder = await createStreamEncoder({ format, sampleRate: 24000 });
      expect(encoder.format).toBe(format);
      expect(encoder.contentType).toBe(STREAM_CONTENT_TYPES[format]);
      encoder.start();
      encoder.encode(tone);
      encoder.finish();
    }
    expect(isExtraFormat('opus')).toBe(true);
    expect(isExtraFormat('mp3')).toBe(false);
    expect(isExtraFormat('aac')).toBe(false);
  });
});
