import { createHmac } from 'node:crypto';
import { signatureEqual } from './constant-time.js';

/**
 * RFC 3986 percent-encoding as Alibaba signs it (reference §7.4): the UTF-8 bytes of the
 * string, with only `A–Z a–z 0–9 - _ . ~` left literal and every other byte as `%XY`
 * (upper-case hex). Works on bytes rather than `encodeURIComponent` so a lone surrogate
 * encodes (as U+FFFD, like Node's UTF-8 encoder) instead of throwing.
 */
export function percentEncode(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  let out = '';
  for (const byte of bytes) out += BYTE_ENCODING[byte];
  return out;
}

const BYTE_ENCODING: readonly string[] = Array.from({ length: 256 }, (_, byte) => {
  const ch = String.fromCharCode(byte);
  return /[A-Za-z0-9\-_.~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
});

/**
 * `name=value&…` over every parameter, sorted by raw name. SDKs sort with JavaScript's
 * default sort (UTF-16 code units), so we do the same to agree on exotic names.
 */
export function canonicalQueryString(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .sort()
    .map((name) => `${percentEncode(name)}=${percentEncode(params[name] ?? '')}`)
    .join('&');
}

/** The v1 StringToSign: `METHOD&%2F&percentEncode(canonical query)`. `Signature` itself is never signed. */
export function stringToSignV1(args: { params: Readonly<Record<string, string>>; method: string }): string {
  const signed: Record<string, string> = {};
  for (const [name, value] of Object.entries(args.params)) if (name !== 'Signature') signed[name] = value;
  return `${args.method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalQueryString(signed))}`;
}

/** Signature v1 (HMAC-SHA1, key = secret + "&"), base64. */
export function signV1(args: { params: Readonly<Record<string, string>>; method: string; secret: string }): {
  stringToSign: string;
  signature: string;
} {
  const stringToSign = stringToSignV1(args);
  const signature = createHmac('sha1', `${args.secret}&`).update(stringToSign, 'utf8').digest('base64');
  return { stringToSign, signature };
}

/** Recomputes the v1 signature and compares it with the given one in constant time. */
export function verifyV1(args: {
  params: Readonly<Record<string, string>>;
  method: string;
  secret: string;
  signature: string;
}): { ok: boolean; stringToSign: string } {
  const expected = signV1(args);
  return { ok: signatureEqual(expected.signature, args.signature), stringToSign: expected.stringToSign };
}
