import { describe, expect, it } from 'vitest';
import { fundamentalHz } from '../../test/support/audio-analysis.js';
import { harmonicTone, speechSample } from '../../test/support/audio-fixtures.js';
import { createPitchShifter, pitchShift, stretchAndShift, timeStretch } from './rubberband.stretcher.js';

describe('pitchShift', () => {
  // ratio, and the lowest pitch the measurement must consider (an octave down from ~100 Hz is ~50 Hz).
  const cases: [number, number][] = [
    [2 ** (5 / 12), 60],
    [0.5, 35],
    [0.75, 50],
    [1.5, 60],
    [2, 60],
  ];
  for (const [ratio, minHz] of cases) {
    it(`moves the voice by ×${ratio.toFixed(3)} and keeps its duration`, async () => {
      const { samples, sampleRate } = await speechSample();
      const before = fundamentalHz(samples, sampleRate, { minHz });
      const out = await pitchShift({ samples, sampleRate, ratio });
      const after = fundamentalHz(out, sampleRate, { minHz });
      expect(after / before / ratio).toBeGreaterThan(0.85);
      expect(after / before / ratio).toBeLessThan(1.15);
      expect(Math.abs(out.length - samples.length) / samples.length).toBeLessThan(0.05);
    });
  }

  it('is an exact bypass at ratio 1', async () => {
    const { samples, sampleRate } = await speechSample();
    expect(await pitchShift({ samples, sampleRate, ratio: 1 })).toBe(samples);
    const shifter = createPitchShifter({ sampleRate, ratio: 1 });
    expect(shifter.isBypass).toBe(true);
    expect(await shifter.shift(samples)).toBe(samples);
  });

  it('shifts a harmonic tone with vibrato precisely', async () => {
    const samples = harmonicTone({ f0: 150, sampleRate: 16000, seconds: 2 });
    const out = await createPitchShifter({ sampleRate: 16000, ratio: 1.25 }).shift(samples);
    expect(fundamentalHz(out, 16000) / 150).toBeCloseTo(1.25, 1);
    expect(out).toHaveLength(samples.length);
  });
});

describe('timeStretch', () => {
  for (const tempo of [0.5, 2]) {
    it(`changes the duration by 1/${tempo} and leaves the pitch alone`, async () => {
      const { samples, sampleRate } = await speechSample();
      const out = await timeStretch({ samples, sampleRate, tempo });
      expect(Math.abs(out.length / (samples.length / tempo) - 1)).toBeLessThan(0.1);
      expect(Math.abs(fundamentalHz(out, sampleRate) / fundamentalHz(samples, sampleRate) - 1)).toBeLessThan(0.05);

      const tone = harmonicTone({ f0: 200, sampleRate: 24000, seconds: 2 });
      const stretched = await timeStretch({ samples: tone, sampleRate: 24000, tempo });
      expect(Math.abs(fundamentalHz(stretched, 24000) / 200 - 1)).toBeLessThan(0.05);
    });
  }

  it('stops when its job is cancelled', async () => {
    const { samples, sampleRate } = await speechSample();
    const controller = new AbortController();
    const running = timeStretch({ samples, sampleRate, tempo: 0.8, signal: controller.signal });
    controller.abort(new Error('job cancelled'));
    await expect(running).rejects.toThrow('job cancelled');
    // The shared engine is still usable afterwards.
    expect(await timeStretch({ samples, sampleRate, tempo: 2 })).toHaveLength(Math.round(samples.length / 2));
  });

  it('does tempo and pitch in one pass, and rejects nonsense ratios', async () => {
    const tone = harmonicTone({ f0: 200, sampleRate: 16000, seconds: 2 });
    const out = await stretchAndShift({ samples: tone, sampleRate: 16000, tempo: 1.25, pitchRatio: 0.8 });
    expect(out).toHaveLength(Math.round(tone.length / 1.25));
    expect(fundamentalHz(out, 16000) / 160).toBeCloseTo(1, 1);
    await expect(stretchAndShift({ samples: tone, sampleRate: 16000, tempo: 0 })).rejects.toThrow(RangeError);
  });

  it('recovers from a trap inside Rubber Band: the next call gets a fresh instance', async () => {
    const tone = harmonicTone({ f0: 200, sampleRate: 16000, seconds: 0.1 });
    // A 4000× stretch overruns Rubber Band's buffers inside WASM (the pipeline never asks for one:
    // it clamps tempo to 0.25–4). Before the fix every later call on the instance failed too.
    await expect(stretchAndShift({ samples: tone, sampleRate: 16000, tempo: 0.00025 })).rejects.toThrow(WebAssembly.RuntimeError);
    const shifted = await stretchAndShift({ samples: tone, sampleRate: 16000, pitchRatio: 1.5 });
    expect(shifted).toHaveLength(tone.length);
    expect(Math.max(...shifted.map(Math.abs))).toBeGreaterThan(0.05);
  });
});
