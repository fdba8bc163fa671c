import type { IncomingHttpHeaders } from 'node:http';
import { errors } from '../../shared/errors.js';
import { V3_ALGORITHM } from './signature-v3.js';

/** The API version this service implements. */
export const ICE_API_VERSION = '2020-11-09';

/** What parseIceRequest needs from an HTTP request (a Fastify request plus its raw body fits). */
export interface IceHttpRequest {
  method: string;
  /** The request target as received: path plus `?query`, still percent-encoded. */
  url: string;
  headers: IncomingHttpHeaders;
  /** The body bytes exactly as received; absent or empty when there is none. */
  rawBody?: Buffer;
}

export type IceFormat = 'JSON' | 'XML';

/** RPC common parameters (reference §7.2) that are not business parameters. */
export const COMMON_PARAMETER_NAMES: ReadonlySet<string> = new Set([
  'Action',
  'Version',
  'Format',
  'AccessKeyId',
  'SignatureMethod',
  'SignatureVersion',
  'SignatureNonce',
  'Timestamp',
  'Signature',
  'SecurityToken',
  'RegionId',
  'SignatureType',
  'BearerToken',
]);

/** Common parameters a handler may care about. */
export interface IceCommonParams {
  /** `RegionId`, when the client sent one (ICE takes the region from the endpoint; it is informational). */
  regionId?: string;
  /** `SecurityToken` / `x-acs-security-token` (STS). Not supported; kept so it can be refused explicitly. */
  securityToken?: string;
}

export type IceAuthInfo =
  | {
      kind: 'v1';
      accessKeyId: string;
      signature: string;
      signatureMethod: string;
      signatureVersion: string;
      signatureNonce: string;
      timestamp: string;
    }
  | {
      kind: 'v3';
      accessKeyId: string;
      algorithm: string;
      /** Lower-case names, in the order the Authorization header lists them. */
      signedHeaders: string[];
      signature: string;
      date: string;
      nonce: string;
      /** The `x-acs-content-sha256` header, lower-cased; absent when the client did not send it. */
      contentSha256?: string;
    }
  | { kind: 'none' };

export interface ParsedIceRequest {
  method: 'GET' | 'POST';
  /** The action name as sent (`Action` parameter, else the `x-acs-action` header). */
  action: string;
  /** Always ICE_API_VERSION (another value is rejected). */
  version: string;
  format: IceFormat;
  /** Business parameters: query ∪ form body, minus the common parameters. */
  params: Record<string, string>;
  common: IceCommonParams;
  /** Query-string parameters, decoded (V3 signs these). */
  query: Record<string, string>;
  /** Form-body parameters, decoded (empty for a non-form body). */
  body: Record<string, string>;
  /** Body bytes as received (V3 hashes these). */
  rawBody: Buffer;
  /** The path part of the request target, as received. */
  pathname: string;
  /** Request headers, lower-case names, one string value each. */
  headers: Record<string, string>;
  auth: IceAuthInfo;
}

/**
 * Reads an ICE RPC request the way every Alibaba client may send it (reference §7.3):
 * parameters in the query string and/or an `application/x-www-form-urlencoded` body, merged;
 * a parameter given twice anywhere is refused rather than guessed at.
 */
export function parseIceRequest(request: IceHttpRequest): ParsedIceRequest {
  const method = request.method.toUpperCase();
  if (method !== 'GET' && method !== 'POST') throw errors.unsupportedMethod(method);

  const headers = normalizeHeaders(request.headers);
  const { pathname, search } = splitTarget(request.url);
  const query = decodeForm(search);
  const rawBody = request.rawBody ?? Buffer.alloc(0);
  const body = isFormBody(headers) && rawBody.length > 0 ? decodeForm(rawBody.toString('utf8')) : emptyRecord();

  const all = emptyRecord();
  for (const source of [query, body]) {
    for (const [name, value] of Object.entries(source)) {
      if (Object.hasOwn(all, name)) throw errors.duplicateParameter(name);
      // Never meaningful in text, and PostgreSQL cannot store it: refused here for every action.
      if (value.includes('\u0000')) throw errors.invalidParameter(clip(name), 'it contains a NUL character (U+0000).');
      all[name] = value;
    }
  }

  // The parameter wins over the header: pop-core sends both, and upper-cases the first letter
  // of the parameter only (`echo` → Action=Echo, x-acs-action: echo).
  const action = all.Action ?? headers['x-acs-action'];
  if (action === undefined || action === '') throw errors.missingParameter('Action');

  const version = all.Version ?? headers['x-acs-version'] ?? ICE_API_VERSION;
  if (version !== ICE_API_VERSION) {
    throw errors.invalidParameter('Version', `this service implements ICE API version ${ICE_API_VERSION} only, not "${clip(version)}".`);
  }

  const format = parseFormat(all.Format);

  const params = emptyRecord();
  for (const [name, value] of Object.entries(all)) if (!COMMON_PARAMETER_NAMES.has(name)) params[name] = value;

  const common: IceCommonParams = {};
  if (all.RegionId !== undefined) common.regionId = all.RegionId;
  const securityToken = all.SecurityToken ?? headers['x-acs-security-token'];
  if (securityToken !== undefined) common.securityToken = securityToken;

  const auth = parseAuth(all, headers);
  // A v1 signature covers the parameters only: an action taken from the (unsigned) header could be
  // swapped in transit for another the same signature would then authorise.
  if (auth.kind === 'v1' && all.Action === undefined) throw errors.missingParameter('Action');

  return {
    method,
    action,
    version,
    format,
    params,
    common,
    query,
    body,
    rawBody,
    pathname,
    headers,
    auth,
  };
}

/**
 * The response format a request asked for, without validating anything: used to format
 * errors raised before (or while) the request could be parsed. Never throws.
 */
export function guessIceFormat(request: Pick<IceHttpRequest, 'url' | 'headers'> & { rawBody?: Buffer }): IceFormat {
  try {
    const wants = (text: string): boolean => new URLSearchParams(text).get('Format')?.toUpperCase() === 'XML';
    if (wants(splitTarget(request.url).search)) return 'XML';
    const contentType = String(request.headers['content-type'] ?? '');
    if (request.rawBody && /^application\/x-www-form-urlencoded/i.test(contentType) && wants(request.rawBody.toString('utf8'))) return 'XML';
  } catch {
    // Fall through to the default.
  }
  return 'JSON';
}

function parseFormat(value: string | undefined): IceFormat {
  if (value === undefined) return 'JSON';
  const upper = value.toUpperCase();
  if (upper === 'JSON' || upper === 'XML') return upper;
  throw errors.invalidFormat(clip(value));
}

function parseAuth(all: Record<string, string>, headers: Record<string, string>): IceAuthInfo {
  const authorization = headers.authorization;
  if (authorization !== undefined) {
    if (all.Signature !== undefined) throw errors.incompleteSignature('send either a v1 Signature parameter or an Authorization header, not both.');
    return parseV3(authorization, headers);
  }
  if (all.Signature === undefined && all.AccessKeyId === undefined) return { kind: 'none' };
  if (all.AccessKeyId === undefined || all.AccessKeyId === '') throw errors.missingCredentials();
  for (const name of ['Signature', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp'] as const) {
    if (all[name] === undefined || all[name] === '') throw errors.missingParameter(name);
  }
  return {
    kind: 'v1',
    accessKeyId: all.AccessKeyId,
    signature: all.Signature!,
    signatureMethod: all.SignatureMethod!,
    signatureVersion: all.SignatureVersion!,
    signatureNonce: all.SignatureNonce!,
    timestamp: all.Timestamp!,
  };
}

function parseV3(authorization: string, headers: Record<string, string>): IceAuthInfo {
  const match = /^(\S+)\s+(.+)$/.exec(authorization.trim());
  if (!match) throw errors.incompleteSignature('the Authorization header is not "ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…".');
  const algorithm = match[1]!;
  if (algorithm !== V3_ALGORITHM) {
    if (algorithm.toUpperCase().startsWith('ACS3-')) throw errors.invalidSignatureMethod(clip(algorithm));
    throw errors.incompleteSignature(`unsupported Authorization scheme "${clip(algorithm)}".`);
  }
  const fields = new Map<string, string>();
  for (const part of match[2]!.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaderList = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential) throw errors.missingCredentials();
  if (!signedHeaderList || !signature) throw errors.incompleteSignature('the Authorization header needs Credential, SignedHeaders and Signature.');

  const signedHeaders = signedHeaderList
    .split(';')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const signed = new Set(signedHeaders);
  if (!signed.has('host')) throw errors.incompleteSignature('SignedHeaders must include host.');
  // Every x-acs-* header the server may act on must be covered, and the content type too,
  // since it decides whether the body is read as parameters.
  for (const name of Object.keys(headers)) {
    if ((name.startsWith('x-acs-') || name === 'content-type') && !signed.has(name)) {
      throw errors.incompleteSignature(`SignedHeaders must include ${name}.`);
    }
  }
  const date = headers['x-acs-date'];
  const nonce = headers['x-acs-signature-nonce'];
  if (!date) throw errors.incompleteSignature('the x-acs-date header is missing.');
  if (!nonce) throw errors.incompleteSignature('the x-acs-signature-nonce header is missing.');
  const contentSha256 = headers['x-acs-content-sha256'];
  return {
    kind: 'v3',
    accessKeyId: credential,
    algorithm,
    signedHeaders,
    signature,
    date,
    nonce,
    ...(contentSha256 === undefined ? {} : { contentSha256: contentSha256.toLowerCase() }),
  };
}

function isFormBody(headers: Record<string, string>): boolean {
  return /^application\/x-www-form-urlencoded\b/i.test(headers['content-type'] ?? '');
}

function splitTarget(url: string): { pathname: string; search: string } {
  const q = url.indexOf('?');
  return q < 0 ? { pathname: url, search: '' } : { pathname: url.slice(0, q), search: url.slice(q + 1) };
}

/**
 * Form decoding with URLSearchParams' rules (`+` is a space, empty pairs skipped, malformed
 * escapes kept or replaced the same way; a property test holds the two equal), at about 2.5×
 * its speed: decodeURIComponent is native, and a submit's form body is ~2 KB of escapes.
 * Empty names are skipped; a repeated name is refused.
 */
/** Parameters accepted in a query string or form body (every ICE action needs fewer than 40). */
export const MAX_FORM_PARAMETERS = 200;

export function decodeForm(text: string): Record<string, string> {
  const out = emptyRecord();
  let start = 0;
  let count = 0;
  while (start <= text.length) {
    // A call has a few dozen parameters; a body of 1 MiB could carry 100,000, each decoded and
    // checked for duplicates before the signature is even looked at.
    if (++count > MAX_FORM_PARAMETERS) throw errors.tooManyParameters(MAX_FORM_PARAMETERS);
    let end = text.indexOf('&', start);
    if (end < 0) end = text.length;
    if (end > start) {
      const eq = text.indexOf('=', start);
      const split = eq >= 0 && eq < end;
      const name = unescapeFormPart(text.slice(start, split ? eq : end));
      if (name !== '') {
        if (Object.hasOwn(out, name)) throw errors.duplicateParameter(clip(name));
        out[name] = split ? unescapeFormPart(text.slice(eq + 1, end)) : '';
      }
    }
    start = end + 1;
  }
  return out;
}

function unescapeFormPart(part: string): string {
  const spaced = part.includes('+') ? part.replaceAll('+', ' ') : part;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return percentDecodeLeniently(spaced);
  }
}

/**
 * The WHATWG percent-decoding decodeURIComponent refuses: `%` not followed by two hex digits
 * stays as it is, and bytes that are not UTF-8 become U+FFFD.
 */
function percentDecodeLeniently(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(bytes.length);
  let length = 0;
  for (let i = 0; i < bytes.length; i++) {
    const high = i + 2 < bytes.length ? hexValue(bytes[i + 1]!) : -1;
    const low = high >= 0 ? hexValue(bytes[i + 2]!) : -1;
    if (bytes[i] === 0x25 && low >= 0) {
      out[length++] = high * 16 + low;
      i += 2;
    } else {
      out[length++] = bytes[i]!;
    }
  }
  return out.toString('utf8', 0, length);
}

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

function normalizeHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out = emptyRecord();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Null-prototype, so parameter names like `__proto__` are plain keys. */
function emptyRecord(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

/** Client text echoed in an error message is shortened, so a 90 KB parameter does not come back whole. */
export function clip(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}
