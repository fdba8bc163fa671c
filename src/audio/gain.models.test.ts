import { describe, expect, it } from 'vitest';
import { peak, rms, toneLevelDb } from '../../test/support/audio-analysis.js';
import { speechSample } from '../../test/support/audio-fixtures.js';
import { applyGain, LIMITER_CEILING } from './gain.models.js';
import { volumeToGain } from './prosody.models.js';

/** Speech normalised close to full scale, the worst case for turning the volume up. */
async function loudSpeech(): Promise<{ samples: Float32Array; sampleRate: number }> {
  const { samples, sampleRate } = await speechSample();
  const scale = 0.95 / peak(samples);
  return { samples: samples.map((s) => s * scale), sampleRate };
}

function sine({ hz, amplitude, sampleRate, seconds }: { hz: number; amplitude: number; sampleRate: number; seconds: number }): Float32Array {
  return Float32Array.from({ length: Math.round(sampleRate * seconds) }, (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate));
}

describe('applyGain with ICE volume', () => {
  it('gets louder at every step from volume 0 to 100, never passing the ceiling', async () => {
    const { samples, sampleRate } = await loudSpeech();
    let previous = -1;
    for (let volume = 0; volume <= 100; volume += 10) {
      const out = applyGain(samples, volumeToGain(volume), { sampleRate });
      const level = rms(out);
      expect(level).toBeGreaterThan(previous);
      expect(peak(out)).toBeLessThanOrEqual(LIMITER_CEILING);
      previous = level;
    }
  });

  it('makes volume 0 digital silence and volume 50 the untouched input', async () => {
    const { samples, sampleRate } = await loudSpeech();
    expect(peak(applyGain(samples, volumeToGain(0), { sampleRate }))).toBe(0);
    expect(applyGain(samples, volumeToGain(50), { sampleRate })).toBe(samples);
  });

  it('at gain 1 leaves in-range audio alone but brings a resampler overshoot back under the ceiling', () => {
    const inRange = new Float32Array([0.5, -0.99, 0.98, -0.9]);
    expect(applyGain(inRange, 1, { sampleRate: 16000 })).toBe(inRange);
    const overshoot = new Float32Array([0.5, 1.07, -1.03]);
    const limited = applyGain(overshoot, 1, { sampleRate: 16000 });
    expect(peak(limited)).toBeLessThanOrEqual(LIMITER_CEILING);
    expect(limited[1]).toBeGreaterThan(0);
    expect(limited[2]).toBeLessThan(0);
  });

  it('scales passages away from any peak exactly', () => {
    const sampleRate = 16000;
    // A quiet second, then one loud blip: the first half-second is far from the blip.
    const signal = new Float32Array(sampleRate);
    for (let i = 0; i < signal.length; i++) signal[i] = 0.1 * Math.sin(i / 5);
    signal[sampleRate - 100] = 0.9;
    const out = applyGain(signal, 2, { sampleRate });
    for (let i = 0; i < sampleRate / 2; i++) expect(out[i]).toBe(Math.fround(signal[i]! * 2));
    expect(peak(out)).toBeLessThanOrEqual(LIMITER_CEILING);
  });

  // The limiter used to be a sample-wise tanh curve: at volume 100 a voice peaking near full scale
  // had its peaks squared off (runs of samples at the 16-bit rail, ~−20 dB of odd harmonics).
  // Turning the gain down around a peak keeps the waveform's shape.
  it('turns a peak down instead of squaring it off: a loud tone keeps its shape, with no harmonics', () => {
    const sampleRate = 16000;
    const tone = sine({ hz: 500, amplitude: 0.9, sampleRate, seconds: 0.5 });
    const out = applyGain(tone, 2, { sampleRate });
    const middle = out.subarray(sampleRate / 10, out.length - sampleRate / 10);
    const fundamental = toneLevelDb(middle, sampleRate, 500);
    expect(toneLevelDb(middle, sampleRate, 1500) - fundamental).toBeLessThan(-60);
    expect(toneLevelDb(middle, sampleRate, 2500) - fundamental).toBeLessThan(-60);
    expect(peak(out)).toBeLessThanOrEqual(LIMITER_CEILING);
    expect(peak(middle)).toBeGreaterThan(LIMITER_CEILING - 0.01);
  });

  it('keeps loud speech at volume 100 off the 16-bit rail, with no flattened runs', async () => {
    const { samples, sampleRate } = await loudSpeech();
    const out = applyGain(samples, volumeToGain(100), { sampleRate });
    let run = 0;
    let longest = 0;
    for (const x of out) {
      run = Math.abs(x) >= 0.98 ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    expect(peak(out)).toBeLessThanOrEqual(LIMITER_CEILING);
    // A sine peak near 0.99 spends a sample or two above 0.98; a squared-off one stays there.
    expect(longest).toBeLessThanOrEqual(3);
  });
});
