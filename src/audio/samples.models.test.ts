import { describe, expect, it } from 'vitest';
import { concatSamples, floatToInt16, int16ToFloat, silence } from './samples.models.js';

describe('floatToInt16', () => {
  it('maps full scale to the int16 limits and clamps beyond it', () => {
    const out = floatToInt16(new Float32Array([0, 1, -1, 0.5, 1.7, -3, Number.NaN]));
    expect(Array.from(out)).toEqual([0, 32767, -32768, 16384, 32767, -32768, 0]);
  });

  it('round-trips through int16ToFloat within one quantisation step', () => {
    const input = new Float32Array(1000).map((_, i) => Math.sin(i / 7) * 0.9);
    const back = int16ToFloat(floatToInt16(input));
    for (let i = 0; i < input.length; i++) expect(Math.abs(back[i] - input[i])).toBeLessThan(1 / 32767);
  });
});

describe('silence and concatSamples', () => {
  it('builds silence of the requested length and joins buffers in order', () => {
    expect(silence({ ms: 250, sampleRate: 16000 })).toHaveLength(4000);
    expect(silence({ ms: -5, sampleRate: 16000 })).toHaveLength(0);
    const joined = concatSamples([new Float32Array([1, 2]), new Float32Array(0), new Float32Array([3])]);
    expect(Array.from(joined)).toEqual([1, 2, 3]);
  });
});
