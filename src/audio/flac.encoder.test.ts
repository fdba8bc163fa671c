import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FLACDecoder } from '@wasm-audio-decoders/flac';
import { createFlacEncoder, FLAC_STREAMINFO_END } from './flac.encoder.js';
import { concatBytes } from './bytes.models.js';
import { floatToInt16, int16ToFloat } from './samples.models.js';

/** A speech-like test signal: a tone with noise, quantised to 16 bits so lossless means equal. */
function signal({ seconds, sampleRate }: { seconds: number; sampleRate: number }): Int16Array {
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  return floatToInt16(Float32Array.from({ length: Math.round(seconds * sampleRate) }, (_, i) => 0.4 * Math.sin((2 * Math.PI * 220 * i) / sampleRate) + 0.05 * random()));
}

async function decode(bytes: Uint8Array) {
  const decoder = new FLACDecoder();
  await decoder.ready;
  try {
    const { channelData, samplesDecoded, sampleRate, bitDepth, errors } = await decoder.decodeFile(bytes);
    return { samples: channelData[0].subarray(0, samplesDecoded), channels: channelData.length, sampleRate, bitDepth, errors };
  } finally {
    decoder.free();
  }
}

/** STREAMINFO fields (big-endian bit fields after "fLaC" and the block header). */
function streamInfo(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const info = 8;
  const packed = view.getBigUint64(info + 10);
  return {
    marker: new TextDecoder().decode(bytes.subarray(0, 4)),
    blockType: bytes[4] & 0x7f,
    blockLength: (bytes[5] << 16) | (bytes[6] << 8) | bytes[7],
    minFrame: (bytes[info + 4] << 16) | view.getUint16(info + 5),
    sampleRate: Number(packed >> 44n),
    channels: Number((packed >> 41n) & 7n) + 1,
    bitsPerSample: Number((packed >> 36n) & 31n) + 1,
    totalSamples: Number(packed & 0xfffffffffn),
    md5: Buffer.from(bytes.subarray(info + 18, info + 34)).toString('hex'),
  };
}

describe('createFlacEncoder', () => {
  it('streams fLaC + STREAMINFO (24 kHz, mono, 16-bit, length unknown) and decodes losslessly', async () => {
    const ints = signal({ seconds: 3, sampleRate: 24000 });
    const encoder = await createFlacEncoder({ sampleRate: 24000 });
    const start = encoder.start();
    expect(streamInfo(start)).toMatchObject({ marker: 'fLaC', blockType: 0, blockLength: 34, sampleRate: 24000, channels: 1, bitsPerSample: 16, totalSamples: 0 });
    const parts = [start];
    const floats = int16ToFloat(ints);
    for (let i = 0; i < floats.length; i += 9999) parts.push(encoder.encode(floats.subarray(i, i + 9999)));
    const { tail } = encoder.finish();
    parts.push(tail);
    const bytes = concatBytes(parts);
    // Compressed: well under the 2 bytes a sample of WAV.
    expect(bytes.length).toBeLessThan(ints.length * 2 * 0.8);

    const decoded = await decode(bytes);
    expect(decoded.errors).toEqual([]);
    expect(decoded).toMatchObject({ sampleRate: 24000, channels: 1, bitDepth: 16 });
    expect(decoded.samples.length).toBe(ints.length);
    const back = floatToInt16(decoded.samples);
    let differing = 0;
    for (let i = 0; i < ints.length; i++) if (back[i] !== ints[i]) differing++;
    expect(differing).toBe(0);
  });

  it('gives in finish().header the final STREAMINFO: total samples and the MD5 of the PCM', async () => {
    const ints = signal({ seconds: 1.5, sampleRate: 16000 });
    const encoder = await createFlacEncoder({ sampleRate: 16000 });
    const start = encoder.start();
    const body = encoder.encode(int16ToFloat(ints));
    const { tail, header } = encoder.finish();
    expect(header).toBeDefined();
    expect(header!.length).toBe(FLAC_STREAMINFO_END);
    const pcm = Buffer.from(ints.buffer, ints.byteOffset, ints.byteLength);
    expect(streamInfo(header!)).toMatchObject({ sampleRate: 16000, channels: 1, bitsPerSample: 16, totalSamples: ints.length, md5: createHash('md5').update(pcm).digest('hex') });
    expect(streamInfo(header!).minFrame).toBeGreaterThan(0);
    expect(streamInfo(start).md5).toBe('0'.repeat(32));
    // Written over the start of the file, it still decodes to the same samples.
    const file = concatBytes([start, body, tail]).slice();
    file.set(header!, 0);
    expect((await decode(file)).samples.length).toBe(ints.length);
  });

  it('frees encoders that are abandoned, again and again, without running out of memory', async () => {
    for (let i = 0; i < 300; i++) {
      const encoder = await createFlacEncoder({ sampleRate: 24000 });
      encoder.start();
      encoder.encode(new Float32Array(5000).fill(0.25));
      encoder.release?.();
      encoder.release?.();
      expect(() => encoder.encode(new Float32Array(1))).toThrow();
    }
  });

  it('keeps interleaved streams apart', async () => {
    const streams = await Promise.all(
      [8000, 16000, 24000, 48000].map(async (sampleRate) => ({ sampleRate, encoder: await createFlacEncoder({ sampleRate }), ints: signal({ seconds: 0.5, sampleRate }) })),
    );
    const parts = streams.map((s) => [s.encoder.start()]);
    for (let block = 0; block < 5; block++) {
      streams.forEach((s, k) => {
        const n = s.ints.length / 5;
        parts[k].push(s.encoder.encode(int16ToFloat(s.ints.subarray(block * n, (block + 1) * n))));
      });
    }
    for (const [k, s] of streams.entries()) {
      parts[k].push(s.encoder.finish().tail);
      const decoded = await decode(concatBytes(parts[k]));
      expect(decoded.sampleRate).toBe(s.sampleRate);
      expect(Buffer.from(floatToInt16(decoded.samples).buffer).equals(Buffer.from(s.ints.buffer))).toBe(true);
    }
  });
});
