import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time string comparison. Both sides are hashed first so inputs of different
 * lengths compare in the same time too (timingSafeEqual needs equal lengths). For secrets, whose
 * length must not leak (a bearer token against a key's secret).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

/**
 * Constant-time comparison of a computed signature with the one a client sent. A signature's
 * length is fixed by its algorithm (64 hex digits for V3, 28 base64 characters for v1), so it is
 * no secret and is compared first; the bytes are compared in constant time. A quarter of the
 * cost of constantTimeEqual's two hashes, on every signed request.
 */
export function signatureEqual(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
