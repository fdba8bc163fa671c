/**
 * A closed-loop HTTP load generator: a fixed number of requests in flight over keep-alive
 * connections (undici Pool), bounded in both count and time, loopback only.
 */
import { Pool } from 'undici';

export interface PreparedRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadResult {
  completed: number;
  failed: number;
  seconds: number;
  perSecond: number;
  /** Per-request latencies (ms) of the successful requests. */
  latencies: number[];
  /** First non-2xx body seen, to explain failures. */
  firstFailure?: string;
}

/**
 * Sends `next()` requests with `inFlight` outstanding until `maxSeconds` pass or `maxRequests`
 * have been sent (or next() returns null), whichever comes first.
 */
export async function runClosedLoop({
  origin,
  inFlight,
  maxSeconds,
  maxRequests,
  next,
}: {
  origin: string;
  inFlight: number;
  maxSeconds: number;
  maxRequests: number;
  next: () => PreparedRequest | null;
}): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: inFlight, pipelining: 1 });
  const latencies: number[] = [];
  let sent = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  const start = performance.now();
  const deadline = start + maxSeconds * 1000;
  async function lane() {
    while (sent < maxRequests && performance.now() < deadline) {
      const request = next();
      if (!request) return;
      sent++;
      const t = performance.now();
      try {
        const response = await pool.request({ method: request.method, path: request.path, headers: request.headers, body: request.body });
        const text = await response.body.text();
        if (response.statusCode >= 200 && response.statusCode < 300) latencies.push(performance.now() - t);
        else {
          failed++;
          firstFailure ??= `${response.statusCode} ${text.slice(0, 300)}`;
        }
      } catch (error) {
        failed++;
        firstFailure ??= String(error);
      }
    }
  }
  await Promise.all(Array.from({ length: inFlight }, lane));
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  return { completed: latencies.length, failed, seconds, perSecond: latencies.length / seconds, latencies, firstFailure };
}
