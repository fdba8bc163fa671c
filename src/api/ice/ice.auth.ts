import { type AppError, errors } from '../../shared/errors.js';
import type { AccessKeyRecord, JobStore, NonceUse } from '../../store/store.types.js';
import { type ParsedIceRequest, clip } from './ice.request.js';
import { verifyV1 } from './signature-v1.js';
import { sha256Hex, verifyV3 } from './signature-v3.js';

/** Key id recorded for unsigned requests when anonymous access is allowed. */
export const ANONYMOUS_KEY_ID = 'anonymous';

/** Alibaba's window (reference §8). */
const DEFAULT_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** The longest server-signed text echoed in a SignatureDoesNotMatch message; longer ones are summarised. */
const MAX_ECHO_CHARS = 2048;

export interface IceAuthenticatorOptions {
  /** Where access keys and used nonces live (the JobStore, or anything with these two methods). */
  keys: Pick<JobStore, 'getAccessKey' | 'useNonce'>;
  /** Accept unsigned requests as key `anonymous` (the `--allow-anonymous` flag). */
  allowAnonymous: boolean;
  /** What anonymous callers may do (RAM-style). Default `['*']`. */
  anonymousAllowedActions?: string[];
  now: () => Date;
  /** Accepted distance between the request's timestamp and `now`, either way. Default 15 minutes. */
  clockSkewMs?: number;
  /** Put the server's string-to-sign into SignatureDoesNotMatch messages (default true; it holds no secret). */
  echoStringToSign?: boolean;
}

export interface IceIdentity {
  /** The access key id, or `anonymous`. */
  keyId: string;
  /** RAM-style actions the key may call: `ice:SubmitAudioProduceJob`, `ice:*` or `*`. */
  allowedActions: string[];
  /**
   * The request's nonce, not yet recorded: set only when the caller asked to defer it (a signed
   * request). The caller must record it in its own write (JobStore.createJob's `nonce`).
   */
  nonce?: NonceUse;
}

export interface AuthenticateOptions {
  /** Return the nonce instead of recording it, for an action that records it with its own write. */
  deferNonce?: boolean;
}

export type IceAuthenticator = ReturnType<typeof createIceAuthenticator>;

/**
 * Verifies v1 (HMAC-SHA1) and V3 (ACS3-HMAC-SHA256) signed requests (reference §7.4, §7.5).
 * Order: timestamp format and window → key lookup → signature → nonce. The nonce is recorded
 * only once the signature is good, so nobody can burn another client's nonces.
 */
export function createIceAuthenticator(options: IceAuthenticatorOptions) {
  const clockSkewMs = options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS;
  // A timestamp is accepted from now - skew to now + skew, so a nonce must be remembered for
  // twice the skew for a replay to be refused for as long as its timestamp passes.
  const nonceTtlMs = 2 * clockSkewMs;
  const echo = options.echoStringToSign ?? true;

  async function lookUpKey(id: string): Promise<AccessKeyRecord> {
    const key = await options.keys.getAccessKey(id);
    if (!key) throw errors.accessKeyNotFound();
    if (!key.active) throw errors.accessKeyInactive();
    return key;
  }

  function checkTime(text: string, now: Date): void {
    const at = parseIceTimestamp(text);
    if (at === null) throw errors.timestampFormat();
    if (Math.abs(at.getTime() - now.getTime()) > clockSkewMs) throw errors.timestampExpired();
  }

  /** Records the nonce now, or hands it back when deferred; either way it is checked first. */
  async function settleNonce(keyId: string, nonce: string, now: Date, defer: boolean): Promise<NonceUse | undefined> {
    if (nonce.length > 256) throw errors.invalidParameter('SignatureNonce', 'at most 256 characters.');
    const use: NonceUse = { keyId, nonce, now, ttlMs: nonceTtlMs };
    if (defer) return use;
    if (!(await options.keys.useNonce(use))) throw errors.nonceUsed();
    return undefined;
  }

  function mismatch(serverSigned: string): AppError {
    if (!echo) return errors.signatureMismatch();
    if (serverSigned.length > MAX_ECHO_CHARS) return errors.signatureMismatchDetail(`(${serverSigned.length} characters, not shown)`);
    return errors.signatureMismatchDetail(serverSigned);
  }

  return {
    /** Returns who is calling, or throws the ICE error a real gateway would. */
    async authenticate(parsed: ParsedIceRequest, { deferNonce = false }: AuthenticateOptions = {}): Promise<IceIdentity> {
      const now = options.now();
      const auth = parsed.auth;
      if (auth.kind === 'none') {
        if (!options.allowAnonymous) throw errors.missingCredentials();
        return { keyId: ANONYMOUS_KEY_ID, allowedActions: options.anonymousAllowedActions ?? ['*'] };
      }
      // STS tokens would need an STS service to check them against; refuse them plainly.
      if (parsed.common.securityToken !== undefined) {
        throw errors.invalidParameter('SecurityToken', 'STS security tokens are not supported by this server; sign with an access key.');
      }

      if (auth.kind === 'v1') {
        if (auth.signatureMethod.toUpperCase() !== 'HMAC-SHA1') throw errors.invalidSignatureMethod(clip(auth.signatureMethod));
        if (auth.signatureVersion !== '1.0') throw errors.incompleteSignature(`SignatureVersion must be 1.0, not "${clip(auth.signatureVersion)}".`);
        checkTime(auth.timestamp, now);
        const key = await lookUpKey(auth.accessKeyId);
        const params = { ...parsed.query, ...parsed.body };
        const result = verifyV1({ params, method: parsed.method, secret: key.secret, signature: auth.signature });
        if (!result.ok) throw mismatch(result.stringToSign);
        const nonce = await settleNonce(key.id, auth.signatureNonce, now, deferNonce);
        return { keyId: key.id, allowedActions: key.allowedActions, nonce };
      }

      checkTime(auth.date, now);
      const key = await lookUpKey(auth.accessKeyId);
      const bodyHash = sha256Hex(parsed.rawBody);
      if (auth.contentSha256 !== undefined && auth.contentSha256 !== bodyHash) throw errors.contentHashMismatch();
      const result = verifyV3({
        method: parsed.method,
        pathname: parsed.pathname,
        query: parsed.query,
        // The Host header exactly as received: proxies that rewrite it break V3 signatures.
        headers: parsed.headers,
        signedHeaders: auth.signedHeaders,
        hashedPayload: bodyHash,
        secret: key.secret,
        signature: auth.signature,
      });
      if (!result.ok) throw mismatch(result.canonicalRequest);
      const nonce = await settleNonce(key.id, auth.nonce, now, deferNonce);
      return { keyId: key.id, allowedActions: key.allowedActions, nonce };
    },
  };
}

/**
 * Action names that are one action under two names (the reference's doc-page title and the wire
 * name, §0): a key allowed either may call both.
 */
const RAM_ALIASES: Readonly<Record<string, string>> = { 'ice:getsmartjobresult': 'ice:getsmarthandlejob' };

function ramName(action: string): string {
  const lower = action.toLowerCase();
  return RAM_ALIASES[lower] ?? lower;
}

/**
 * RAM-style check: `*`, `ice:*` or `ice:<Action>` (case-insensitive, as RAM action names are).
 * Throws Forbidden.RAM otherwise.
 */
export function authorize(args: { action: string; allowedActions: readonly string[] }): void {
  const wanted = ramName(`ice:${args.action}`);
  for (const allowed of args.allowedActions) {
    const a = ramName(allowed);
    if (a === '*' || a === 'ice:*' || a === wanted) return;
  }
  throw errors.forbidden(clip(args.action));
}

/**
 * `yyyy-MM-ddTHH:mm:ssZ` (UTC), optionally with fractional seconds; null when malformed or
 * not a real date (2024-02-30).
 */
export function parseIceTimestamp(text: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = m[7] ? Math.floor(Number(`0${m[7]}`) * 1000) : 0;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) return null;
  return date;
}

