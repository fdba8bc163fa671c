/**
 * ICE `EditingConfig` prosody fields → signal-processing parameters (reference §1.2).
 * Pure functions; every mapping is a product decision documented here and in the README.
 */

export const VOLUME_RANGE = { min: 0, max: 100, default: 50 } as const;
export const RATE_RANGE = { min: -500, max: 500, default: 0 } as const;

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/**
 * `volume` 0…100 → linear gain. 50 (the ICE default) leaves the engine's level unchanged;
 * the gain is linear in `volume` (gain = volume / 50), so 0 is silence and 100 is ×2 (+6 dB).
 * Linear rather than dB-scaled because ICE documents no curve and a linear map is the only one
 * that reaches true silence at 0 while keeping 50 neutral. Out-of-range values are clamped.
 */
export function volumeToGain(volume: number): number {
  return clamp(volume, VOLUME_RANGE.min, VOLUME_RANGE.max) / VOLUME_RANGE.default;
}

/**
 * Alibaba's rate curve, inverted (reference §1.2, [SELF] derivation):
 * r ≤ 0: s = 1 / (1 + 0.002·|r|);  r ≥ 0: s = 1 / (1 − 0.001·r).
 * −500 → 0.5, 0 → 1, +500 → 2. Shared by speech_rate and pitch_rate.
 */
function rateToMultiplier(rate: number): number {
  const r = clamp(rate, RATE_RANGE.min, RATE_RANGE.max);
  return r <= 0 ? 1 / (1 + 0.002 * -r) : 1 / (1 - 0.001 * r);
}

/** `speech_rate` −500…500 → speed multiplier 0.5…2 (2 = twice as fast, half the duration). */
export function speechRateToSpeed(rate: number): number {
  return rateToMultiplier(rate);
}

/**
 * `pitch_rate` −500…500 → frequency ratio 0.5…2. ICE documents no pitch curve, so we reuse the
 * speech_rate curve: ±500 is one octave down/up, 0 is unchanged, and the ratio is monotonic.
 */
export function pitchRateToRatio(rate: number): number {
  return rateToMultiplier(rate);
}
