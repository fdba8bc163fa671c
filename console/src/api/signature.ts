/**
 * Signature v1 (HMAC-SHA1, reference §7.4) computed with WebCrypto, so the console signs in the
 * browser exactly as Alibaba's SDKs and src/api/ice/signature-v1.ts do. Uses only APIs that
 * browsers and Node 20 share (TextEncoder, crypto.subtle, btoa), so it is unit-tested in Node.
 */

import { hmacSha1 } from './hmac-sha1.js';

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/** RFC 3986 encoding of the UTF-8 bytes, upper-case hex; a lone surrogate becomes U+FFFD as on the server. */
export function percentEncode(value: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(value)) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `name=value&…` sorted by raw name (UTF-16 order, as the SDKs' default sort). */
export function canonicalQueryString(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort()
    .map((name) => `${percentEncode(name)}=${percentEncode(params[name] ?? '')}`)
    .join('&');
}

/** `METHOD&%2F&percentEncode(canonical)`; `Signature` itself is never signed. */
export function stringToSignV1({ params, method }: { params: Readonly<Record<string, string>>; method: string }): string {
  const signed: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) if (name !== 'Signature') signed[name] = value;
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalQueryString(signed))}`;
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/**
 * Base64 HMAC-SHA1 of the string to sign, keyed with `secret + "&"`. WebCrypto where the page is
 * a secure context; the plain implementation otherwise (`useWebCrypto: false` forces it, for tests).
 */
export async function signV1({
  params,
  method,
  secret,
  useWebCrypto = globalThis.crypto?.subtle !== undefined,
}: {
  params: Readonly<Record<string, string>>;
  method: string;
  secret: string;
  useWebCrypto?: boolean;
}): Promise<string> {
  const encoder = new TextEncoder();
  const keyBytes = encoder.encode(`${secret}&`);
  const message = encoder.encode(stringToSignV1({ params, method }));
  if (!useWebCrypto) return base64(hmacSha1({ key: keyBytes, message }));
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  return base64(new Uint8Array(await crypto.subtle.sign('HMAC', key, message)));
}

/** A random nonce; getRandomValues works outside secure contexts too, unlike randomUUID. */
export function randomNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** `yyyy-MM-ddTHH:mm:ssZ`. */
export function iceTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** An access key as the user typed it; kept only in sessionStorage. */
export interface AccessKey {
  id: string;
  secret: string;
}

/**
 * Adds the v1 common parameters and the Signature to `params` (which must hold Action and the
 * business parameters). `now` and `nonce` are parameters so tests can pin them.
 */
export async function signedParams({
  params,
  method,
  key,
  now = new Date(),
  nonce = randomNonce(),
}: {
  params: Readonly<Record<string, string>>;
  method: 'GET' | 'POST';
  key: AccessKey;
  now?: Date;
  nonce?: string;
}): Promise<Record<string, string>> {
  const all: Record<string, string> = {
    Format: 'JSON',
    Version: '2020-11-09',
    ...params,
    AccessKeyId: key.id,
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: nonce,
    Timestamp: iceTimestamp(now),
  };
  all.Signature = await signV1({ params: all, method, secret: key.secret });
  return all;
}

/** Encodes parameters for a URL query or a form body (same encoding the SDKs put on the wire). */
export function encodeParams(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&');
}
