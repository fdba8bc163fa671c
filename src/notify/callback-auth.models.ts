import { createHash } from 'node:crypto';

/** ICE's AuthKey rule: at most 32 characters, with upper case, lower case and digits. */
export const MAX_AUTH_KEY_LENGTH = 32;

/** Why `key` is not an acceptable AuthKey, or null when it is. */
export function authKeyProblem(key: string): string | null {
  if (key.length === 0) return 'AuthKey may not be empty.';
  if (key.length > MAX_AUTH_KEY_LENGTH) return `AuthKey may have at most ${MAX_AUTH_KEY_LENGTH} characters.`;
  // Printable ASCII only: the key is hashed as UTF-8 and receivers type it into config files.
  if (!/^[\x21-\x7e]+$/.test(key)) return 'AuthKey may contain only printable ASCII characters without spaces.';
  if (!/[A-Z]/.test(key) || !/[a-z]/.test(key) || !/[0-9]/.test(key)) return 'AuthKey must contain upper-case letters, lower-case letters and digits.';
  return null;
}

/** Lower-case hex md5 of `url|timestamp|authKey` (reference §4.5), the X-ICE-SIGNATURE value. */
export function iceCallbackSignature(args: { url: string; timestamp: number | string; authKey: string }): string {
  return createHash('md5').update(`${args.url}|${args.timestamp}|${args.authKey}`, 'utf8').digest('hex');
}

/**
 * The headers of one callback POST. Auth headers are made fresh on each attempt (the timestamp
 * must be current for the receiver's staleness check); the delivery id stays the same across
 * retries so receivers can drop duplicates.
 */
export function callbackHeaders(args: {
  deliveryId: string;
  url: string;
  now: Date;
  /** The AuthKey when callback auth is on, else null. */
  authKey: string | null;
}): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Narrate',
    'x-narrate-delivery-id': args.deliveryId,
  };
  if (args.authKey !== null) {
    const timestamp = Math.floor(args.now.getTime() / 1000);
    headers['x-ice-timestamp'] = String(timestamp);
    headers['x-ice-signature'] = iceCallbackSignature({ url: args.url, timestamp, authKey: args.authKey });
  }
  return headers;
}
