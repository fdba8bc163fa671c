import { randomUUID } from 'node:crypto';
import type { AccessKeyRecord, JobStore } from '../../store/store.types.js';
import { percentEncode, signV1 } from './signature-v1.js';
import { authorizationHeaderV3, sha256Hex, signV3 } from './signature-v3.js';

export interface SignedIceRequestArgs {
  /** `v1` (HMAC-SHA1 parameters), `v3` (ACS3-HMAC-SHA256 header) or `none` (unsigned). */
  signature: 'v1' | 'v3' | 'none';
  action: string;
  /** Business parameters. */
  params?: Record<string, string>;
  /** Default POST. */
  method?: 'GET' | 'POST';
  /**
   * Where parameters go. `query` (default): all in the URL. `body`: a form body — for v1 every
   * parameter including Signature (as pop-core POSTs), for v3 the business parameters.
   */
  placement?: 'query' | 'body';
  accessKeyId?: string;
  accessKeySecret?: string;
  /** The Host header (V3 signs it). Default `localhost:80`, what fastify.inject sends. */
  host?: string;
  /** Signing time. Default now. */
  now?: Date;
  /** Default a random UUID. */
  nonce?: string;
  /** Adds `Format`; omitted by default (the server then answers JSON). */
  format?: string;
  /** Default 2020-11-09. */
  version?: string;
}

export interface SignedIceRequest {
  method: 'GET' | 'POST';
  /** Path and query, ready for inject({ url }) or http.request({ path }). */
  url: string;
  headers: Record<string, string>;
  /** The form body, or undefined. */
  body?: string;
}

/** `yyyy-MM-ddTHH:mm:ssZ`. */
export function iceTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function encodePairs(params: Record<string, string>): string {
  return Object.entries(params)
    .map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`)
    .join('&');
}

/**
 * Builds an ICE request signed exactly as Alibaba's SDKs sign it, for inject() and property
 * tests. Not for production use: it exists so tests need not drive the SDKs.
 */
export function signedIceRequest(args: SignedIceRequestArgs): SignedIceRequest {
  const method = args.method ?? 'POST';
  const placement = args.placement ?? 'query';
  const now = args.now ?? new Date();
  const nonce = args.nonce ?? randomUUID();
  const accessKeyId = args.accessKeyId ?? 'test-key';
  const accessKeySecret = args.accessKeySecret ?? 'test-secret';
  const version = args.version ?? '2020-11-09';
  const host = args.host ?? 'localhost:80';
  const business = args.params ?? {};
  const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };

  if (args.signature === 'v3') {
    const query: Record<string, string> = { ...(placement === 'query' ? business : {}) };
    if (args.format !== undefined) query.Format = args.format;
    const body = placement === 'body' ? encodePairs(business) : undefined;
    const headers: Record<string, string> = {
      host,
      'x-acs-action': args.action,
      'x-acs-version': version,
      'x-acs-date': iceTimestamp(now),
      'x-acs-signature-nonce': nonce,
      'x-acs-content-sha256': sha256Hex(body ?? ''),
      ...(body === undefined ? {} : formHeaders),
    };
    const signedHeaders = Object.keys(headers).sort();
    const { signature } = signV3({ method, query, headers, signedHeaders, hashedPayload: headers['x-acs-content-sha256']!, secret: accessKeySecret });
    headers.authorization = authorizationHeaderV3({ accessKeyId, signedHeaders, signature });
    const search = encodePairs(query);
    return { method, url: search === '' ? '/' : `/?${search}`, headers, ...(body === undefined ? {} : { body }) };
  }

  const all: Record<string, string> = { Action: args.action, Version: version, ...business };
  if (args.format !== undefined) all.Format = args.format;
  if (args.signature === 'v1') {
    Object.assign(all, {
      AccessKeyId: accessKeyId,
      SignatureMethod: 'HMAC-SHA1',
      SignatureVersion: '1.0',
      SignatureNonce: nonce,
      Timestamp: iceTimestamp(now),
    });
    all.Signature = signV1({ params: all, method, secret: accessKeySecret }).signature;
  }
  const encoded = encodePairs(all);
  if (placement === 'body') return { method, url: '/', headers: { host, ...formHeaders }, body: encoded };
  return { method, url: `/?${encoded}`, headers: { host } };
}

/**
 * An in-memory stand-in for the two JobStore methods the authenticator uses (an edge fake for
 * tests; the real stores pass the store contract suite).
 */
export function createMemoryKeyStore(keys: AccessKeyRecord[]): Pick<JobStore, 'getAccessKey' | 'useNonce'> & { putKey(key: AccessKeyRecord): void } {
  const byId = new Map(keys.map((key) => [key.id, key]));
  const nonces = new Map<string, number>();
  return {
    putKey(key) {
      byId.set(key.id, key);
    },
    async getAccessKey(id) {
      return byId.get(id) ?? null;
    },
    async useNonce({ keyId, nonce, now, ttlMs }) {
      const id = `${keyId}\u0000${nonce}`;
      const expires = nonces.get(id);
      if (expires !== undefined && expires > now.getTime()) return false;
      nonces.set(id, now.getTime() + ttlMs);
      return true;
    },
  };
}

/** A test access key. */
export function testAccessKey(overrides: Partial<AccessKeyRecord> = {}): AccessKeyRecord {
  return { id: 'test-key', secret: 'test-secret', allowedActions: ['*'], active: true, createdAt: new Date('2024-01-01T00:00:00Z'), ...overrides };
}
