import { describe, expect, it } from 'vitest';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import { createOggOpusEncoder, OPUS_GRANULE_RATE } from './opus.encoder.js';
import { OGG_BOS, OGG_EOS, readOggPages } from './ogg-page.models.js';
import { concatBytes } from './bytes.models.js';
import type { StreamEncoder } from './stream-encoder.types.js';

function tone({ hz, seconds, sampleRate, amplitude = 0.3 }: { hz: number; seconds: number; sampleRate: number; amplitude?: number }) {
  return Float32Array.from({ length: Math.round(seconds * sampleRate) }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate));
}

/** Feeds the samples in uneven chunks, as the speech pipeline does (one per sentence). */
function encodeAll(encoder: StreamEncoder, samples: Float32Array, chunk = 7001): Uint8Array {
  const parts = [encoder.start()];
  for (let i = 0; i < samples.length; i += chunk) parts.push(encoder.encode(samples.subarray(i, i + chunk)));
  parts.push(encoder.finish().tail);
  return concatBytes(parts);
}

/** Independent decoder (libopus in another build, with its own Ogg demuxer); output is 48 kHz. */
async function decode(bytes: Uint8Array) {
  const decoder = new OggOpusDecoder();
  await decoder.ready;
  try {
    const { channelData, samplesDecoded, sampleRate, errors } = await decoder.decodeFile(bytes);
    return { samples: channelData[0].subarray(0, samplesDecoded), sampleRate, errors };
  } finally {
    decoder.free();
  }
}

const rms = (x: Float32Array) => Math.sqrt(x.reduce((sum, v) => sum + v * v, 0) / Math.max(1, x.length));
function zeroCrossingHz(x: Float32Array, sampleRate: number) {
  let crossings = 0;
  for (let i = 1; i < x.length; i++) if (x[i - 1] < 0 !== x[i] < 0) crossings++;
  return crossings / 2 / (x.length / sampleRate);
}

describe('createOggOpusEncoder', () => {
  it('writes OpusHead and OpusTags on pages of their own, then audio pages ending in EOS', () => {
    const bytes = encodeAll(createOggOpusEncoder({ sampleRate: 24000, serial: 77 }), tone({ hz: 440, seconds: 2.5, sampleRate: 24000 }));
    const pages = readOggPages(bytes);
    expect(pages.every((p) => p.crcOk && p.serial === 77)).toBe(true);
    expect(pages[0].flags).toBe(OGG_BOS);
    expect(pages[0].packets).toHaveLength(1);
    const head = Buffer.from(pages[0].packets[0]);
    expect(head.toString('ascii', 0, 8)).toBe('OpusHead');
    expect(head[8]).toBe(1); // version
    expect(head[9]).toBe(1); // channels
    // libopus at 24 kHz delays by 156 input samples = 312 at 48 kHz.
    expect(head.readUInt16LE(10)).toBe(312);
    expect(head.readUInt32LE(12)).toBe(24000);
    expect(head[18]).toBe(0);
    expect(Buffer.from(pages[1].packets[0]).toString('ascii', 0, 8)).toBe('OpusTags');
    expect(pages[1].packets).toHaveLength(1);
    expect(pages[1].granule).toBe(0n);
    expect(pages.at(-1)!.flags).toBe(OGG_EOS);
    expect(pages.slice(1, -1).every((p) => p.flags === 0)).toBe(true);
  });

  it('counts granules at 48 kHz: 960 per 20 ms packet, and the last one is pre-skip + the real length', () => {
    const samples = tone({ hz: 300, seconds: 1.2345, sampleRate: 24000 });
    const pages = readOggPages(encodeAll(createOggOpusEncoder({ sampleRate: 24000 }), samples));
    const audio = pages.slice(2);
    let packets = 0;
    for (const page of audio.slice(0, -1)) {
      packets += page.packets.length;
      expect(page.granule).toBe(BigInt(packets * 960));
    }
    packets += audio.at(-1)!.packets.length;
    const last = audio.at(-1)!.granule;
    expect(last).toBe(BigInt(312 + samples.length * 2));
    // Enough packets were written to cover the real samples after the pre-skip, and no more than one extra.
    expect(packets * 960).toBeGreaterThanOrEqual(Number(last));
    expect(packets * 960 - Number(last)).toBeLessThan(960);
    expect(Number(last - 312n) / OPUS_GRANULE_RATE).toBeCloseTo(samples.length / 24000, 6);
  });

  it('decodes with an independent decoder to the same tone, length and level', async () => {
    const samples = tone({ hz: 440, seconds: 2, sampleRate: 24000 });
    const decoded = await decode(encodeAll(createOggOpusEncoder({ sampleRate: 24000 }), samples));
    expect(decoded.errors).toEqual([]);
    expect(decoded.sampleRate).toBe(48000);
    // Pre-skip and end trimming applied by the decoder: exactly the input duration.
    expect(decoded.samples.length).toBe(96000);
    const middle = decoded.samples.subarray(24000, 72000);
    expect(zeroCrossingHz(middle, 48000)).toBeCloseTo(440, -1);
    expect(rms(middle)).toBeGreaterThan(0.3 / Math.SQRT2 * 0.9);
    expect(rms(middle)).toBeLessThan(0.3 / Math.SQRT2 * 1.1);
  });

  it('keeps the audio in time: a click comes out where it went in (pre-skip is right)', async () => {
    const samples = new Float32Array(24000);
    for (let i = 12000; i < 12048; i++) samples[i] = 0.8 * Math.sin((2 * Math.PI * (i - 12000)) / 48);
    const decoded = await decode(encodeAll(createOggOpusEncoder({ sampleRate: 24000 }), samples));
    let peakAt = 0;
    for (let i = 0; i < decoded.samples.length; i++) if (Math.abs(decoded.samples[i]) > Math.abs(decoded.samples[peakAt])) peakAt = i;
    // Input click spans 24000–24096 at 48 kHz; a wrong pre-skip would shift it by ≥ 6 ms.
    expect(peakAt).toBeGreaterThanOrEqual(24000 - 48);
    expect(peakAt).toBeLessThan(24096 + 48);
  });

  it('works at every pipeline rate, with the pre-skip scaled to 48 kHz', async () => {
    for (const sampleRate of [8000, 16000, 48000]) {
      const bytes = encodeAll(createOggOpusEncoder({ sampleRate }), tone({ hz: 500, seconds: 1, sampleRate }));
      const head = Buffer.from(readOggPages(bytes)[0].packets[0]);
      expect(head.readUInt32LE(12), `${sampleRate}`).toBe(sampleRate);
      // Lookahead is 2.5 ms + 4 ms of delay compensation at every rate.
      expect(head.readUInt16LE(10), `${sampleRate}`).toBe(312);
      const decoded = await decode(bytes);
      expect(decoded.samples.length, `${sampleRate}`).toBe(48000);
      expect(zeroCrossingHz(decoded.samples.subarray(9600, 38400), 48000), `${sampleRate}`).toBeCloseTo(500, -1);
    }
  });

  it('gives a valid stream for no audio at all', async () => {
    const bytes = encodeAll(createOggOpusEncoder({ sampleRate: 24000 }), new Float32Array(0));
    const pages = readOggPages(bytes);
    // Granule = pre-skip: zero real samples (opusdec decodes it to 0 samples).
    expect(pages.at(-1)!.granule).toBe(312n);
    const decoded = await decode(bytes);
    expect(decoded.errors).toEqual([]);
    // This decoder does not trim a stream shorter than its pre-skip; at most silence of one frame remains.
    expect(decoded.samples.length).toBeLessThan(960);
    expect(rms(decoded.samples)).toBeLessThan(0.01);
  });

  it('refuses a rate libopus does not take', () => {
    expect(() => createOggOpusEncoder({ sampleRate: 44100 })).toThrow(RangeError);
  });

  it('keeps many interleaved streams apart (each encoder has its own state)', async () => {
    const encoders = Array.from({ length: 40 }, (_, k) => ({ encoder: createOggOpusEncoder({ sampleRate: 24000 }), hz: 200 + k * 20, parts: [] as Uint8Array[] }));
    for (const e of encoders) e.parts.push(e.encoder.start());
    for (let block = 0; block < 10; block++) {
      for (const e of encoders) {
        const x = tone({ hz: e.hz, seconds: 0.1, sampleRate: 24000 });
        e.parts.push(e.encoder.encode(x));
      }
    }
    for (const e of encoders) e.parts.push(e.encoder.finish().tail);
    for (const e of encoders) {
      const decoded = await decode(concatBytes(e.parts));
      expect(zeroCrossingHz(decoded.samples.subarray(4800, 43200), 48000), `${e.hz} Hz`).toBeCloseTo(e.hz, -1);
    }
  });
});
