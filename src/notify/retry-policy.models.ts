/**
 * When a failed callback is tried again, as data. Two modes:
 * - `ice`: ICE's documented rule, 3 attempts in all, 1 s apart, then the message is dropped.
 * - `backoff` (default): exponential from baseMs, capped, with jitter, until maxAgeMs after the
 *   event was created. Receivers that are down for an hour still get their events.
 */
export type RetryPolicy =
  | {
      mode: 'ice';
      /** Attempts in all, the first included. ICE: 3. */
      maxAttempts: number;
      /** Pause between attempts. ICE: 1000. */
      intervalMs: number;
    }
  | {
      mode: 'backoff';
      /** Delay after the first failure, before jitter. */
      baseMs: number;
      /** Each further failure multiplies the delay by this. */
      factor: number;
      /** The delay never exceeds this. */
      capMs: number;
      /** `full`: uniform in [0, d]; `equal`: d/2 + uniform in [0, d/2] (never a tight loop); `none`: d. */
      jitter: 'full' | 'equal' | 'none';
      /** Give up when the next attempt would fall more than this after the first one. */
      maxAgeMs: number;
      /** Give up after this many attempts whatever the age (Infinity: no limit). */
      maxAttempts: number;
      /**
       * Attempts granted even past maxAgeMs, so an old delivery put back by resend still gets
       * a few tries instead of dying on its first failure.
       */
      minAttempts: number;
    };

export const ICE_RETRY_POLICY: RetryPolicy = { mode: 'ice', maxAttempts: 3, intervalMs: 1000 };

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  mode: 'backoff',
  baseMs: 1000,
  factor: 2,
  capMs: 10 * 60 * 1000,
  jitter: 'equal',
  maxAgeMs: 24 * 60 * 60 * 1000,
  maxAttempts: Number.POSITIVE_INFINITY,
  minAttempts: 3,
};

/** A policy from partial settings (config); the mode picks the defaults to fill in. */
export function retryPolicyFrom(settings: { mode?: 'ice' | 'backoff' } & Record<string, unknown>): RetryPolicy {
  const base = settings.mode === 'ice' ? ICE_RETRY_POLICY : DEFAULT_RETRY_POLICY;
  const merged = { ...base } as Record<string, unknown>;
  for (const [key, value] of Object.entries(settings)) if (value !== undefined && key in base) merged[key] = value;
  return merged as RetryPolicy;
}

/**
 * When to try again after a failed attempt, or 'dead' to give up.
 * `attempts` counts the attempts made so far, the failed one included (1 after the first failure).
 * `firstAttemptAt` is when the delivery's series started (its creation time).
 * `random` returns a number in [0, 1) (Math.random, or a fake in tests).
 */
export function nextAttempt(args: {
  policy: RetryPolicy;
  attempts: number;
  firstAttemptAt: Date;
  now: Date;
  random: () => number;
}): Date | 'dead' {
  const { policy, attempts, now } = args;
  if (policy.mode === 'ice') {
    return attempts >= policy.maxAttempts ? 'dead' : new Date(now.getTime() + policy.intervalMs);
  }
  if (attempts >= policy.maxAttempts) return 'dead';
  const nominal = Math.min(policy.capMs, policy.baseMs * policy.factor ** Math.max(0, attempts - 1));
  const r = Math.min(Math.max(args.random(), 0), 1);
  const delay = policy.jitter === 'full' ? r * nominal : policy.jitter === 'equal' ? nominal / 2 + (r * nominal) / 2 : nominal;
  const next = new Date(now.getTime() + Math.round(delay));
  const tooOld = next.getTime() - args.firstAttemptAt.getTime() > policy.maxAgeMs;
  if (tooOld && attempts >= policy.minAttempts) return 'dead';
  return next;
}
