/**
 * Small pure helpers on mono float sample buffers (−1…1). The pipeline works in Float32 until the
 * encoder; these never allocate more than their output.
 */

/** Float (−1…1) → 16-bit PCM. Out-of-range input is clamped, never wrapped. */
export function floatToInt16(samples: Float32Array): Int16Array {
  const out = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    // Asymmetric scale so that +1 → 32767 and −1 → −32768 exactly; NaN becomes 0.
    const v = s >= 0 ? Math.round(Math.min(s, 1) * 32767) : Math.round(Math.max(s, -1) * 32768);
    out[i] = Number.isNaN(v) ? 0 : v;
  }
  return out;
}

/** 16-bit PCM → float (−1…1), the inverse of floatToInt16. */
export function int16ToFloat(samples: Int16Array): Float32Array {
  const out = new Float32Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] / (samples[i] < 0 ? 32768 : 32767);
  return out;
}

/** Joins buffers into one new buffer. */
export function concatSamples(parts: readonly Float32Array[]): Float32Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Float32Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** A buffer of digital silence lasting `ms` milliseconds at `sampleRate` (rounded to whole samples). */
export function silence({ ms, sampleRate }: { ms: number; sampleRate: number }): Float32Array {
  return new Float32Array(Math.max(0, Math.round((ms * sampleRate) / 1000)));
}

/** Number of samples in `ms` milliseconds at `sampleRate`. */
export function msToSamples({ ms, sampleRate }: { ms: number; sampleRate: number }): number {
  return Math.round((ms * sampleRate) / 1000);
}

/** Duration in milliseconds of `length` samples at `sampleRate`. */
export function samplesToMs({ length, sampleRate }: { length: number; sampleRate: number }): number {
  return (length * 1000) / sampleRate;
}
