import { createHash, createHmac } from 'node:crypto';
import { signatureEqual } from './constant-time.js';
import { canonicalQueryString } from './signature-v1.js';

/** The only V3 algorithm we accept (reference §7.5). */
export const V3_ALGORITHM = 'ACS3-HMAC-SHA256';

/** SHA-256 of the empty body, which SDKs send as `x-acs-content-sha256` for body-less requests. */
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Lower-case hex SHA-256, the form of `x-acs-content-sha256`. */
export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface CanonicalRequestV3Args {
  method: string;
  /** `/` for RPC. */
  pathname?: string;
  /** Decoded query parameters; they are sorted and RFC 3986-encoded here. */
  query: Readonly<Record<string, string>>;
  /** Header values by lower-case name. Only the names in `signedHeaders` are read. */
  headers: Readonly<Record<string, string | undefined>>;
  /** Lower-case header names in the order the client listed them (SDKs list them sorted). */
  signedHeaders: readonly string[];
  /** Lower-case hex SHA-256 of the raw body. */
  hashedPayload: string;
}

/** The V3 canonical request: method, URI, query, headers, signed header list, payload hash. */
export function canonicalRequestV3(args: CanonicalRequestV3Args): string {
  const canonicalHeaders = args.signedHeaders.map((name) => `${name}:${(args.headers[name] ?? '').trim()}\n`).join('');
  return [
    args.method.toUpperCase(),
    args.pathname ?? '/',
    canonicalQueryString(args.query),
    canonicalHeaders,
    args.signedHeaders.join(';'),
    args.hashedPayload,
  ].join('\n');
}

/** V3 signing: StringToSign = algorithm + "\n" + hex(SHA-256(canonical request)); HMAC-SHA256 with the bare secret. */
export function signV3(args: CanonicalRequestV3Args & { secret: string }): {
  canonicalRequest: string;
  hashedCanonicalRequest: string;
  stringToSign: string;
  signature: string;
} {
  const canonicalRequest = canonicalRequestV3(args);
  // Hashed as a string (UTF-8): no Buffer copy of the canonical request, which holds the whole query.
  const hashedCanonicalRequest = sha256Hex(canonicalRequest);
  const stringToSign = `${V3_ALGORITHM}\n${hashedCanonicalRequest}`;
  const signature = createHmac('sha256', args.secret).update(stringToSign, 'utf8').digest('hex');
  return { canonicalRequest, hashedCanonicalRequest, stringToSign, signature };
}

/** Recomputes the V3 signature and compares it (hex, case-insensitive) in constant time. */
export function verifyV3(args: CanonicalRequestV3Args & { secret: string; signature: string }): {
  ok: boolean;
  canonicalRequest: string;
  stringToSign: string;
} {
  const expected = signV3(args);
  return {
    ok: signatureEqual(expected.signature, args.signature.toLowerCase()),
    canonicalRequest: expected.canonicalRequest,
    stringToSign: expected.stringToSign,
  };
}

/** `ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<a;b>,Signature=<hex>`. */
export function authorizationHeaderV3(args: { accessKeyId: string; signedHeaders: readonly string[]; signature: string }): string {
  return `${V3_ALGORITHM} Credential=${args.accessKeyId},SignedHeaders=${args.signedHeaders.join(';')},Signature=${args.signature}`;
}
