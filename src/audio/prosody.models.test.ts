import { describe, expect, it } from 'vitest';
import { pitchRateToRatio, speechRateToSpeed, volumeToGain } from './prosody.models.js';

describe('volumeToGain', () => {
  it('keeps the default volume 50 at unity, 0 silent and 100 at +6 dB', () => {
    expect(volumeToGain(50)).toBe(1);
    expect(volumeToGain(0)).toBe(0);
    expect(volumeToGain(100)).toBe(2);
    expect(volumeToGain(25)).toBe(0.5);
  });

  it('clamps values outside 0…100', () => {
    expect(volumeToGain(-10)).toBe(0);
    expect(volumeToGain(300)).toBe(2);
  });
});

describe('speechRateToSpeed', () => {
  it('matches the worked examples of the ICE documentation', () => {
    expect(speechRateToSpeed(-500)).toBeCloseTo(0.5, 10);
    expect(speechRateToSpeed(0)).toBe(1);
    expect(speechRateToSpeed(500)).toBeCloseTo(2, 10);
    expect(speechRateToSpeed(-125)).toBeCloseTo(0.8, 10);
    expect(speechRateToSpeed(-250)).toBeCloseTo(2 / 3, 10);
    expect(speechRateToSpeed(250)).toBeCloseTo(4 / 3, 10);
    // The docs' forward example: 1.2× → 166 (truncated from 166.67).
    expect(speechRateToSpeed(166)).toBeCloseTo(1.199, 3);
  });

  it('is monotonic and clamps out-of-range rates', () => {
    let previous = 0;
    for (let r = -500; r <= 500; r += 25) {
      const s = speechRateToSpeed(r);
      expect(s).toBeGreaterThan(previous);
      previous = s;
    }
    expect(speechRateToSpeed(-9999)).toBeCloseTo(0.5, 10);
    expect(speechRateToSpeed(9999)).toBeCloseTo(2, 10);
  });
});

describe('pitchRateToRatio', () => {
  it('spans one octave down to one octave up, neutral at 0', () => {
    expect(pitchRateToRatio(-500)).toBeCloseTo(0.5, 10);
    expect(pitchRateToRatio(0)).toBe(1);
    expect(pitchRateToRatio(500)).toBeCloseTo(2, 10);
    expect(pitchRateToRatio(-100)).toBeLessThan(1);
    expect(pitchRateToRatio(100)).toBeGreaterThan(1);
  });
});
