/** The clock is injected everywhere time matters, so tests can move it. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();

/** ICE's time format: yyyy-MM-ddTHH:mm:ssZ (UTC, no milliseconds). */
export function iceTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
