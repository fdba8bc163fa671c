/**
 * Volume: linear gain followed by a soft limiter, so loud engines turned up to volume 100 bend
 * smoothly into ±1 instead of hard-clipping (or wrapping once converted to 16-bit).
 */

/** Level below which samples pass through untouched (about −1.9 dBFS). */
export const LIMITER_KNEE = 0.8;

/**
 * Sample-wise soft knee: identity up to LIMITER_KNEE, then a tanh curve that is continuous in
 * value and slope and approaches ±1 asymptotically. Stateless on purpose: it needs no look-ahead,
 * so it works on streamed chunks and cannot introduce latency; the price is mild harmonic
 * distortion on peaks that were already going to clip.
 */
export function softLimit(x: number): number {
  const a = Math.abs(x);
  if (a <= LIMITER_KNEE) return x;
  const room = 1 - LIMITER_KNEE;
  const y = LIMITER_KNEE + room * Math.tanh((a - LIMITER_KNEE) / room);
  return x < 0 ? -y : y;
}

/**
 * Multiplies by `gain` (≥ 0) and soft-limits the result into [−1, 1]. Apply it last, after
 * resampling and stretching: both can overshoot a peak that was in range.
 * Gain 1 returns the input array itself (bit-exact, no copy) unless a sample lies beyond ±1, and
 * then limits it like any other gain; gain 0 returns silence.
 */
export function applyGain(samples: Float32Array, gain: number): Float32Array {
  if (gain === 1 && !exceedsFullScale(samples)) return samples;
  const out = new Float32Array(samples.length);
  if (gain <= 0 || Number.isNaN(gain)) return out;
  for (let i = 0; i < samples.length; i++) out[i] = softLimit(samples[i] * gain);
  return out;
}

function exceedsFullScale(samples: Float32Array): boolean {
  for (let i = 0; i < samples.length; i++) if (samples[i] > 1 || samples[i] < -1) return true;
  return false;
}
