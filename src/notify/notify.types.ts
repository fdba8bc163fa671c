/**
 * Contracts of the notify module (completion callbacks). Pure data; the store port
 * (src/store/store.types.ts) holds the outbox these travel through.
 */

/** Where one job's completion event goes. */
export type NotifyTarget =
  | { kind: 'http'; url: string }
  | { kind: 'queue'; queue: string }
  | { kind: 'none' };

/**
 * The account-wide callback set by SetEventCallback (stored as one JSON setting).
 * Field names follow ICE's SetEventCallback parameters.
 */
export interface EventCallbackSettings {
  /** `HTTP` posts to callbackUrl; `MNS` writes to callbackQueueName (a store-backed queue here). */
  callbackType: 'HTTP' | 'MNS';
  /** HTTP only: the one URL, ≤ 256 bytes. */
  callbackUrl: string | null;
  /** MNS only: a queue name starting with `ice-callback-`. */
  callbackQueueName: string | null;
  /** Subscribed event names; empty means every event. */
  eventTypes: string[];
  /** When true every HTTP callback POST (global or per-job) carries X-ICE-TIMESTAMP / X-ICE-SIGNATURE. */
  authSwitch: boolean;
  /** The shared secret for X-ICE-SIGNATURE; ≤ 32 chars with upper, lower and digits. */
  authKey: string | null;
}

/** What one HTTP callback attempt came to. */
export type CallbackHttpOutcome =
  | { ok: true; status: number }
  | { ok: false; status: number | null; error: string };

/** The outbound HTTP edge; createCallbackHttpClient is the real one. */
export interface CallbackHttpClient {
  post(args: { url: string; body: string; headers: Record<string, string> }): Promise<CallbackHttpOutcome>;
  close(): Promise<void>;
}
