import { describe, expect, it } from 'vitest';
import { rms, toneLevelDb } from '../../test/support/audio-analysis.js';
import { sine, speechSample } from '../../test/support/audio-fixtures.js';
import { concatSamples } from './samples.models.js';
import { createResampler } from './speex.resampler.js';

async function resampleInChunks({ samples, from, to, chunk }: { samples: Float32Array; from: number; to: number; chunk: number }): Promise<Float32Array> {
  const resampler = await createResampler({ from, to });
  const parts: Float32Array[] = [];
  for (let offset = 0; offset < samples.length; offset += chunk) parts.push(resampler.process(samples.subarray(offset, offset + chunk)));
  parts.push(resampler.flush());
  return concatSamples(parts);
}

describe('createResampler', () => {
  it('keeps a 1 kHz tone at 1 kHz and at the same level', async () => {
    for (const [from, to] of [[22050, 16000], [22050, 8000], [16000, 48000], [24000, 16000]]) {
      const out = await resampleInChunks({ samples: sine({ hz: 1000, sampleRate: from, seconds: 1 }), from, to, chunk: 999 });
      const body = out.subarray(to / 10, out.length - to / 10);
      expect(toneLevelDb(body, to, 1000)).toBeCloseTo(20 * Math.log10(0.5), 0);
      // Nothing else: the 1 kHz component carries essentially all the energy.
      expect(rms(body)).toBeCloseTo(0.5 / Math.SQRT2, 2);
      expect(toneLevelDb(body, to, 1100)).toBeLessThan(-60);
    }
  });

  it('removes a tone above the target Nyquist frequency instead of folding it back', async () => {
    for (const from of [22050, 16000, 48000]) {
      const out = await resampleInChunks({ samples: sine({ hz: 6000, sampleRate: from, seconds: 1, amplitude: 0.9 }), from, to: 8000, chunk: 1000 });
      // Aliasing would put 6 kHz at 2 kHz in an 8 kHz signal.
      expect(toneLevelDb(out, 8000, 2000)).toBeLessThan(20 * Math.log10(0.9) - 40);
      expect(20 * Math.log10(rms(out) / (0.9 / Math.SQRT2))).toBeLessThan(-40);
      // Away from the clicks of the tone's abrupt start and end, the rejection is far deeper.
      expect(20 * Math.log10(rms(out.subarray(1000, 7000)) / (0.9 / Math.SQRT2))).toBeLessThan(-80);
    }
  });

  it('outputs exactly the converted length, aligned with the input, whatever the chunking', async () => {
    const { samples, sampleRate } = await speechSample();
    const whole = await resampleInChunks({ samples, from: sampleRate, to: 16000, chunk: samples.length });
    const chunked = await resampleInChunks({ samples, from: sampleRate, to: 16000, chunk: 333 });
    expect(whole.length).toBe(Math.round((samples.length * 16000) / sampleRate));
    expect(chunked.length).toBe(whole.length);
    for (let i = 0; i < whole.length; i += 97) expect(chunked[i]).toBeCloseTo(whole[i], 5);
    // An impulse half a second in comes out half a second in: the filter delay is compensated.
    const impulse = new Float32Array(sampleRate);
    impulse[sampleRate / 2] = 1;
    const moved = await resampleInChunks({ samples: impulse, from: sampleRate, to: 16000, chunk: 500 });
    const at = moved.reduce((best, v, i) => (Math.abs(v) > Math.abs(moved[best]) ? i : best), 0);
    expect(Math.abs(at - 8000)).toBeLessThanOrEqual(1);
  });

  it('passes audio through untouched when the rates are equal', async () => {
    const resampler = await createResampler({ from: 16000, to: 16000 });
    const chunk = sine({ hz: 440, sampleRate: 16000, seconds: 0.1 });
    expect(resampler.process(chunk)).toBe(chunk);
    expect(resampler.flush()).toHaveLength(0);
  });

  it('refuses to process after flush, and close is idempotent', async () => {
    const resampler = await createResampler({ from: 22050, to: 8000 });
    resampler.process(new Float32Array(100));
    resampler.flush();
    expect(() => resampler.process(new Float32Array(10))).toThrow(/flushed or closed/);
    resampler.close();
  });
});
