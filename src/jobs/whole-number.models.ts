import { errors } from '../shared/errors.js';

/**
 * Whole numbers sent as text (query parameters such as PageSize, or numbers quoted in EditingConfig):
 * decimal digits with an optional minus sign and nothing else. `Number()` alone would also take
 * `0x10`, `1e1`, `5.0` and surrounding spaces, none of which is an integer as the reference types
 * these parameters (and GetMediaInfo's AuthTimeout and the CLI already refuse them).
 */
export function parseWholeNumber(text: string): number | null {
  if (!/^-?[0-9]{1,15}$/.test(text)) return null;
  const value = Number(text);
  return Object.is(value, -0) ? 0 : value;
}

/** An optional whole-number request parameter: `fallback` when absent or empty, else min…max or InvalidParameter naming it. */
export function wholeNumberParam(name: string, value: string | undefined, { fallback, min, max }: { fallback: number; min: number; max: number }): number {
  if (value === undefined || value === '') return fallback;
  const number = parseWholeNumber(value);
  if (number === null || number < min || number > max) throw errors.invalidParameter(name, `it must be a whole number from ${min} to ${max}.`);
  return number;
}
