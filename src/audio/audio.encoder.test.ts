import { describe, expect, it } from 'vitest';
import { decodeAudio, firstMp3Frame, fundamentalHz, rms } from '../../test/support/audio-analysis.js';
import { speechSample } from '../../test/support/audio-fixtures.js';
import { createEncoder } from './audio.encoder.js';
import { SAMPLE_RATES, type AudioEncoder, type AudioFormat } from './audio.types.js';
import { MP3_BITRATE_KBPS, parseMp3FrameHeader } from './mp3.models.js';
import { concatBytes } from './bytes.models.js';
import { createResampler } from './speex.resampler.js';

/** Writes a file the way the worker does: start(), encode() per chunk, finish(), header patched at 0. */
function encodeInChunks(encoder: AudioEncoder, samples: Float32Array, chunk: number): Uint8Array {
  const parts = [encoder.start()];
  for (let offset = 0; offset < samples.length; offset += chunk) parts.push(encoder.encode(samples.subarray(offset, offset + chunk)));
  const { tail, header } = encoder.finish();
  parts.push(tail);
  const file = concatBytes(parts).slice();
  if (header) file.set(header, 0);
  return file;
}

async function speechAt(rate: number): Promise<Float32Array> {
  const { samples, sampleRate } = await speechSample();
  const resampler = await createResampler({ from: sampleRate, to: rate });
  return concatBytesF([resampler.process(samples), resampler.flush()]);
}

function concatBytesF(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const FORMATS: AudioFormat[] = ['mp3', 'wav', 'pcm'];

describe('createEncoder', () => {
  for (const format of FORMATS) {
    for (const rate of SAMPLE_RATES) {
      it(`${format} at ${rate} Hz decodes to mono ${rate} Hz of the same length and voice`, async () => {
        const input = await speechAt(rate);
        const encoder = await createEncoder({ format, sampleRate: rate });
        // An odd chunk size, so frame and sample boundaries never line up with calls.
        const file = encodeInChunks(encoder, input, 1237);
        const decoded = await decodeAudio(file, format, rate);
        expect(decoded.sampleRate).toBe(rate);
        expect(decoded.channels).toBe(1);
        // Exact for every format: MP3 carries a LAME tag with the encoder delay and padding.
        expect(decoded.samples.length).toBe(input.length);
        expect(rms(decoded.samples)).toBeGreaterThan(rms(input) * 0.7);
        // Still the same voice after the codec.
        expect(fundamentalHz(decoded.samples, rate) / fundamentalHz(input, rate)).toBeCloseTo(1, 1);
      });
    }
  }

  it('writes MP3 frame headers whose version, layer, rate, mode and bitrate match the output', async () => {
    const expected = { 8000: '2.5', 16000: '2', 24000: '2', 48000: '1' } as const;
    for (const rate of SAMPLE_RATES) {
      const encoder = await createEncoder({ format: 'mp3', sampleRate: rate });
      expect(encoder.contentType).toBe('audio/mpeg');
      const file = encodeInChunks(encoder, await speechAt(rate), 4096);
      const { offset, header } = firstMp3Frame(file);
      expect(offset).toBe(0);
      // The first frame is the Info frame: same version, rate and mode; its bitrate may be higher so the tag fits.
      expect(header).toMatchObject({ version: expected[rate], layer: 3, sampleRate: rate, channelMode: 'mono', protected: false });
      const audio = parseMp3FrameHeader(file, header.frameBytes);
      expect(audio).toMatchObject({ version: expected[rate], layer: 3, sampleRate: rate, channelMode: 'mono', bitrateKbps: MP3_BITRATE_KBPS[rate] });
    }
  });

  it('starts MP3 with a gapless Info/LAME tag so the decoded audio is aligned to the sample', async () => {
    for (const rate of SAMPLE_RATES) {
      const input = new Float32Array(rate * 2 + 123);
      input[rate] = 0.9; // a click at exactly 1 s
      const encoder = await createEncoder({ format: 'mp3', sampleRate: rate });
      const placeholder = encoder.start();
      const file = encodeInChunks(encoder, input, 1000);
      const info = file.subarray(0, placeholder.length);
      expect(Buffer.from(info).includes(Buffer.from('Info'))).toBe(true);
      expect(Buffer.from(info).includes(Buffer.from('LAME'))).toBe(true);
      // The audio frames right after it use the configured bitrate.
      expect(parseMp3FrameHeader(file, placeholder.length)?.bitrateKbps).toBe(MP3_BITRATE_KBPS[rate]);
      const decoded = await decodeAudio(file, 'mp3');
      expect(decoded.samples.length).toBe(input.length);
      const loudest = decoded.samples.reduce((best, v, i, all) => (Math.abs(v) > Math.abs(all[best]) ? i : best), 0);
      expect(loudest).toBe(rate);
    }
  });

  it('still decodes an MP3 whose Info frame was never patched (a consumer reading the stream live)', async () => {
    const input = await speechAt(16000);
    const encoder = await createEncoder({ format: 'mp3', sampleRate: 16000 });
    const parts = [encoder.start()];
    parts.push(encoder.encode(input), encoder.finish().tail);
    const decoded = await decodeAudio(concatBytes(parts), 'mp3');
    // Without the tag the decoder keeps LAME's delay and padding: slightly longer, never shorter.
    expect(decoded.samples.length).toBeGreaterThanOrEqual(input.length);
    expect(decoded.samples.length - input.length).toBeLessThan(3 * 576);
  });

  it('gives WAV an unknown-length header at start and the exact one at finish', async () => {
    const encoder = await createEncoder({ format: 'wav', sampleRate: 16000 });
    expect(encoder.contentType).toBe('audio/wav');
    const placeholder = encoder.start();
    expect(placeholder).toHaveLength(44);
    expect(new DataView(placeholder.buffer).getUint32(40, true)).toBe(0xffffffff);
    encoder.encode(new Float32Array(1000));
    encoder.encode(new Float32Array(501));
    const { tail, header } = encoder.finish();
    expect(tail).toHaveLength(0);
    const view = new DataView(header!.buffer);
    expect(String.fromCharCode(...header!.subarray(0, 4))).toBe('RIFF');
    expect(view.getUint32(4, true)).toBe(36 + 1501 * 2);
    expect(view.getUint32(24, true)).toBe(16000);
    expect(view.getUint32(40, true)).toBe(1501 * 2);
  });

  it('writes PCM as raw little-endian 16-bit with no header, clamping overloads', async () => {
    const encoder = await createEncoder({ format: 'pcm', sampleRate: 8000 });
    expect(encoder.start()).toHaveLength(0);
    const bytes = encoder.encode(new Float32Array([0, 1, -1, 2, 0.5]));
    expect(Array.from(bytes)).toEqual([0, 0, 0xff, 0x7f, 0x00, 0x80, 0xff, 0x7f, 0x00, 0x40]);
    expect(encoder.finish().header).toBeUndefined();
  });

  it('encodes the same bytes whatever the chunking (streaming is lossless to the caller)', async () => {
    const input = await speechAt(16000);
    const whole = encodeInChunks(await createEncoder({ format: 'mp3', sampleRate: 16000 }), input, input.length);
    const small = encodeInChunks(await createEncoder({ format: 'mp3', sampleRate: 16000 }), input, 500);
    expect(Buffer.from(small).equals(Buffer.from(whole))).toBe(true);
  });

  it('refuses an MP3 rate LAME cannot write', async () => {
    await expect(createEncoder({ format: 'mp3', sampleRate: 22050 })).rejects.toThrow(/22050/);
  });
});
