/**
 * Local buckets are served by Narrate itself. Their URLs are signed (expiry + HMAC) like OSS/S3
 * presigned URLs, so a MediaUrl can be handed to a browser without opening every bucket to anyone.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signBucketPath({ path, secret, expiresAt }: { path: string; secret: string; expiresAt: number }): string {
  const signature = createHmac('sha256', secret).update(`${path}\n${expiresAt}`).digest('base64url');
  return `${path}?Expires=${expiresAt}&Signature=${signature}`;
}

export function verifyBucketPath({ path, expires, signature, secret, nowSeconds }: { path: string; expires: string | undefined; signature: string | undefined; secret: string; nowSeconds: number }): boolean {
  if (!expires || !signature || !/^\d{1,12}$/.test(expires)) return false;
  if (Number(expires) < nowSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${path}\n${expires}`).digest();
  const given = Buffer.from(signature, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
