/**
 * Volume: linear gain followed by a look-ahead peak limiter, so loud engines turned up to volume
 * 100 keep the shape of their waveform instead of being flattened against full scale.
 */

/** Highest level the limiter lets through (−0.09 dBFS, as a float32): below the 16-bit rail, so nothing clips. */
export const LIMITER_CEILING = Math.fround(0.99);

/**
 * Half-width of the limiter's look-ahead, in ms. The gain starts to come down twice this long
 * before a peak and recovers as long after it: short enough to leave the syllables around a peak
 * at their level, long enough (a few pitch periods' worth of smooth ramp) to add no audible
 * distortion, where a sample-wise curve would square off every peak it touches.
 */
export const LIMITER_LOOKAHEAD_MS = 2.5;

/**
 * Multiplies by `gain` (≥ 0) and limits the result to ±LIMITER_CEILING by turning the gain down
 * smoothly around each peak that would pass it. Apply it last, after resampling and stretching:
 * both can overshoot a peak that was in range. Works on a whole piece at once (it looks ahead).
 * Gain 1 returns the input array itself (bit-exact, no copy) unless a sample lies beyond the
 * ceiling; gain 0 returns silence.
 */
export function applyGain(samples: Float32Array, gain: number, { sampleRate }: { sampleRate: number }): Float32Array {
  if (gain === 1 && peakOf(samples) <= LIMITER_CEILING) return samples;
  const out = new Float32Array(samples.length);
  if (gain <= 0 || Number.isNaN(gain)) return out;
  for (let i = 0; i < samples.length; i++) out[i] = samples[i] * gain;
  if (peakOf(out) <= LIMITER_CEILING) return out;
  const reach = Math.max(1, Math.round((sampleRate * LIMITER_LOOKAHEAD_MS) / 1000));
  const envelope = smoothedGain(out, reach);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(-LIMITER_CEILING, Math.min(LIMITER_CEILING, out[i] * envelope[i]));
  return out;
}

/**
 * The limiter's gain per sample: the gain each sample needs to stay within the ceiling, held as
 * the minimum over ±reach, then averaged over ±reach. Every value that average takes at a sample
 * is a minimum over a window holding that sample, so the result never exceeds what the sample
 * needs: peaks land at or below the ceiling with no overshoot, and the gain moves in straight
 * ramps rather than steps.
 */
function smoothedGain(samples: Float32Array, reach: number): Float32Array {
  const n = samples.length;
  const needed = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.abs(samples[i]);
    needed[i] = a > LIMITER_CEILING ? LIMITER_CEILING / a : 1;
  }
  const held = slidingMin(needed, reach);
  const out = new Float32Array(n);
  let sum = 0;
  let lo = 0;
  let hi = -1;
  for (let i = 0; i < n; i++) {
    while (hi < Math.min(n - 1, i + reach)) sum += held[++hi];
    while (lo < i - reach) sum -= held[lo++];
    out[i] = sum / (hi - lo + 1);
  }
  return out;
}

/** Minimum of `values` over [i − reach, i + reach] for every i (monotonic queue, O(n)). */
function slidingMin(values: Float32Array, reach: number): Float32Array {
  const n = values.length;
  const out = new Float32Array(n);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  let next = 0;
  for (let i = 0; i < n; i++) {
    for (; next < n && next <= i + reach; next++) {
      while (tail > head && values[queue[tail - 1]] >= values[next]) tail--;
      queue[tail++] = next;
    }
    while (queue[head] < i - reach) head++;
    out[i] = values[queue[head]];
  }
  return out;
}

function peakOf(samples: Float32Array): number {
  let p = 0;
  for (let i = 0; i < samples.length; i++) p = Math.max(p, Math.abs(samples[i]));
  return p;
}
