import { errors } from '../../shared/errors.js';

export interface RateLimiterOptions {
  /** Sustained requests per second per key. */
  ratePerSecond: number;
  /** Bucket size: requests a key may make at once after being idle. */
  burst: number;
  now: () => Date;
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

/** Above this many tracked keys, full (idle) buckets are dropped; they are equivalent to a new bucket. */
const PRUNE_THRESHOLD = 10_000;

/**
 * A token bucket per access key, in this process's memory. With N api processes behind a load
 * balancer each keeps its own buckets, so the effective limit is N × ratePerSecond.
 */
export function createRateLimiter(options: RateLimiterOptions) {
  if (!(options.ratePerSecond > 0) || !(options.burst >= 1)) throw new Error('ratePerSecond must be > 0 and burst >= 1');
  const buckets = new Map<string, { tokens: number; at: number }>();

  function refill(bucket: { tokens: number; at: number }, nowMs: number): void {
    // A clock that steps backwards must not mint or remove tokens.
    const elapsed = Math.max(0, nowMs - bucket.at) / 1000;
    bucket.tokens = Math.min(options.burst, bucket.tokens + elapsed * options.ratePerSecond);
    bucket.at = Math.max(bucket.at, nowMs);
  }

  function prune(nowMs: number): void {
    for (const [key, bucket] of buckets) {
      refill(bucket, nowMs);
      if (bucket.tokens >= options.burst) buckets.delete(key);
    }
  }

  return {
    /** Takes one token for the key, or throws Throttling.User with the whole seconds to wait. */
    consume(keyId: string): void {
      const nowMs = options.now().getTime();
      let bucket = buckets.get(keyId);
      if (!bucket) {
        if (buckets.size >= PRUNE_THRESHOLD) prune(nowMs);
        bucket = { tokens: options.burst, at: nowMs };
        buckets.set(keyId, bucket);
      }
      refill(bucket, nowMs);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return;
      }
      const waitSeconds = (1 - bucket.tokens) / options.ratePerSecond;
      throw errors.throttled(Math.max(1, Math.ceil(waitSeconds)));
    },
    /** Keys currently tracked (for metrics and tests). */
    size(): number {
      return buckets.size;
    },
  };
}
