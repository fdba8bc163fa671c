/**
 * The console's only way to the server: the public ICE RPC endpoint at `/`, signed in the browser
 * with signature v1 exactly like the SDKs (or unsigned when the server allows anonymous access).
 */
import { type AccessKey, encodeParams, signedParams } from './signature.js';

/** An ICE error response (reference §6.1), with the form field it names when one is named. */
export class IceError extends Error {
  constructor(
    /** HTTP status (0 when the server could not be reached). */
    readonly status: number,
    /** ICE error Code, e.g. `InvalidParameter` or `MissingInputConfig`. */
    readonly code: string,
    message: string,
    /** The request's RequestId, for support. */
    readonly requestId: string,
  ) {
    super(message);
    this.name = 'IceError';
  }
}

export type IceParams = Record<string, string>;

export interface IceClient {
  /** Whether requests are signed (a key was given) or anonymous. */
  readonly signed: boolean;
  /** The access key id in use, or null when anonymous. */
  readonly keyId: string | null;
  /** Calls an action; GET puts everything in the query, POST in a form body (for long texts). */
  call<T = Record<string, unknown>>(action: string, params?: IceParams, options?: { method?: 'GET' | 'POST' }): Promise<T>;
  /** All parameters of a request, signed for `method`, ready to put on a URL or in a form body. */
  sign(action: string, params: IceParams, method: 'GET' | 'POST'): Promise<IceParams>;
  /** A signed URL for the job's server-sent-events stream (EventSource cannot send headers). */
  jobEventsUrl(jobId: string): Promise<string>;
}

/**
 * How long a call may take before it counts as a network failure. Every action answers in
 * milliseconds; without a limit a server that accepts the connection and never answers would
 * leave "Submitting…" on screen for good.
 */
export const CALL_TIMEOUT_MS = 30_000;

export function createIceClient({
  baseUrl = '',
  key,
  fetchImpl = (...args) => fetch(...args),
  timeoutMs = CALL_TIMEOUT_MS,
}: {
  baseUrl?: string;
  key: AccessKey | null;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}): IceClient {
  async function sign(action: string, params: IceParams, method: 'GET' | 'POST'): Promise<IceParams> {
    const all = { Action: action, ...params };
    if (!key) return { Format: 'JSON', Version: '2020-11-09', ...all };
    return signedParams({ params: all, method, key });
  }

  return {
    signed: key !== null,
    keyId: key?.id ?? null,
    sign,
    async call<T>(action: string, params: IceParams = {}, { method = 'GET' }: { method?: 'GET' | 'POST' } = {}): Promise<T> {
      const encoded = encodeParams(await sign(action, params, method));
      let response: Response;
      let text: string;
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        response =
          method === 'GET'
            ? await fetchImpl(`${baseUrl}/?${encoded}`, { headers: { accept: 'application/json' }, signal })
            : await fetchImpl(`${baseUrl}/`, { method: 'POST', headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' }, body: encoded, signal });
        text = await response.text();
      } catch (error) {
        const message = signal.aborted ? `no answer within ${timeoutMs / 1000} s` : error instanceof Error ? error.message : String(error);
        throw new IceError(0, 'NetworkError', message, '');
      }
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // A proxy's HTML error page, for instance; reported below with the status.
      }
      if (!response.ok) {
        if (typeof body.Code === 'string') throw new IceError(response.status, body.Code, String(body.Message ?? ''), String(body.RequestId ?? ''));
        // Not an ICE answer (a proxy, or the server's own 503 while it shuts down): keep only a readable message.
        const message = typeof body.message === 'string' ? body.message : typeof body.error === 'string' ? body.error : response.statusText;
        throw new IceError(response.status, `HTTP${response.status}`, message, '');
      }
      return body as T;
    },
    async jobEventsUrl(jobId: string): Promise<string> {
      return `${baseUrl}/events/job?${encodeParams(await sign('WatchSmartJob', { JobId: jobId }, 'GET'))}`;
    },
  };
}
