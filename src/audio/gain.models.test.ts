import { describe, expect, it } from 'vitest';
import { peak, rms } from '../../test/support/audio-analysis.js';
import { speechSample } from '../../test/support/audio-fixtures.js';
import { applyGain, softLimit } from './gain.models.js';
import { volumeToGain } from './prosody.models.js';

/** Speech normalised close to full scale, the worst case for turning the volume up. */
async function loudSpeech(): Promise<Float32Array> {
  const { samples } = await speechSample();
  const scale = 0.95 / peak(samples);
  return samples.map((s) => s * scale);
}

describe('applyGain with ICE volume', () => {
  it('gets louder at every step from volume 0 to 100, never leaving ±1', async () => {
    const speech = await loudSpeech();
    let previous = -1;
    for (let volume = 0; volume <= 100; volume += 10) {
      const out = applyGain(speech, volumeToGain(volume));
      const level = rms(out);
      expect(level).toBeGreaterThan(previous);
      expect(peak(out)).toBeLessThanOrEqual(1);
      previous = level;
    }
  });

  it('makes volume 0 digital silence and volume 50 the untouched input', async () => {
    const speech = await loudSpeech();
    expect(peak(applyGain(speech, volumeToGain(0)))).toBe(0);
    expect(applyGain(speech, volumeToGain(50))).toBe(speech);
  });

  it('at gain 1 leaves in-range audio alone but bends a resampler overshoot back into range', () => {
    const inRange = new Float32Array([0.5, -0.99, 1, -1]);
    expect(applyGain(inRange, 1)).toBe(inRange);
    const overshoot = new Float32Array([0.5, 1.07, -1.03]);
    const limited = applyGain(overshoot, 1);
    expect(limited[0]).toBe(0.5);
    expect(Math.abs(limited[1]!)).toBeLessThan(1);
    expect(Math.abs(limited[2]!)).toBeLessThan(1);
    expect(limited[1]).toBeGreaterThan(Math.abs(limited[2]!));
  });

  it('scales quiet passages exactly and bends only the peaks', () => {
    const quiet = new Float32Array([0.1, -0.2, 0.3]);
    expect(Array.from(applyGain(quiet, 2))).toEqual(Array.from(new Float32Array([0.2, -0.4, 0.6])));
    const loud = applyGain(new Float32Array([0.9, -0.9, 5, -5]), 2);
    expect(loud[0]).toBeGreaterThan(0.8);
    expect(loud[0]).toBeLessThan(1);
    expect(loud[1]).toBe(-loud[0]);
    expect(loud[2]).toBeLessThanOrEqual(1);
    expect(loud[2]).toBeGreaterThan(loud[0]);
  });

  it('has a limiter curve that is continuous and monotonic', () => {
    let previous = -Infinity;
    for (let x = -3; x <= 3; x += 0.001) {
      const y = softLimit(x);
      expect(y).toBeGreaterThanOrEqual(previous);
      expect(Math.abs(y)).toBeLessThanOrEqual(1);
      previous = y;
    }
    expect(softLimit(0.8)).toBe(0.8);
    expect(softLimit(0.80001)).toBeCloseTo(0.80001, 4);
  });
});
