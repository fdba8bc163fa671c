import { errors } from '../shared/errors.js';
import type { EventCallbackSettings, NotifyTarget } from './notify.types.js';

/** ICE only delivers to MNS queues named with this prefix; we keep the rule for our store-backed queues. */
export const CALLBACK_QUEUE_PREFIX = 'ice-callback-';
/** MNS's own queue-name limit (1–120 chars, letters, digits and hyphens). */
export const MAX_QUEUE_NAME_LENGTH = 120;
/** Per-job NotifyAddress URL limit; the global CallbackURL has its own 256-byte limit. */
export const MAX_NOTIFY_URL_LENGTH = 2048;

const QUEUE_NAME_PATTERN = /^ice-callback-[A-Za-z0-9-]+$/;

/** True for `ice-callback-` followed by at least one of [A-Za-z0-9-], ≤ 120 chars in all. */
export function isCallbackQueueName(value: string): boolean {
  return value.length <= MAX_QUEUE_NAME_LENGTH && QUEUE_NAME_PATTERN.test(value);
}

/**
 * Why `value` is not an acceptable callback URL, or null when it is. Credentials in the URL are
 * refused: they would sit in the outbox and in logs in clear text, and callback auth covers the need.
 */
export function callbackUrlProblem(value: string, maxLength = MAX_NOTIFY_URL_LENGTH): string | null {
  if (value.length > maxLength) return `a callback URL may have at most ${maxLength} characters.`;
  if (value.trim() !== value) return 'a callback URL may not start or end with white space.';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'it is neither an http(s) URL nor a queue name starting with "ice-callback-".';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'a callback URL must use http or https.';
  if (url.hostname === '') return 'a callback URL must name a host.';
  if (url.username !== '' || url.password !== '') return 'a callback URL may not contain a user name or password; use callback authentication (AuthSwitch) instead.';
  return null;
}

/** Reads the target a NotifyAddress value names, or null when it names none. */
export function parseNotifyAddress(value: string): NotifyTarget | null {
  if (/^https?:\/\//i.test(value)) return callbackUrlProblem(value) === null ? { kind: 'http', url: value } : null;
  if (isCallbackQueueName(value)) return { kind: 'queue', queue: value };
  return null;
}

/** Submit-time check of one NotifyAddress value; throws InvalidParameter naming UserData.NotifyAddress. */
export function validateNotifyAddress(value: unknown): void {
  const param = 'UserData.NotifyAddress';
  if (typeof value !== 'string') throw errors.invalidParameter(param, 'it must be a string.');
  if (/^https?:\/\//i.test(value)) {
    const problem = callbackUrlProblem(value);
    if (problem !== null) throw errors.invalidParameter(param, problem);
    return;
  }
  if (value.startsWith(CALLBACK_QUEUE_PREFIX)) {
    if (!isCallbackQueueName(value)) {
      throw errors.invalidParameter(param, `a queue name is "ice-callback-" followed by letters, digits and hyphens, at most ${MAX_QUEUE_NAME_LENGTH} characters in all.`);
    }
    return;
  }
  throw errors.invalidParameter(param, 'it is neither an http(s) URL nor a queue name starting with "ice-callback-".');
}

/**
 * The NotifyAddress inside a UserData JSON text, or null when there is none. An empty string
 * counts as none (the job then falls back to the global callback). Non-JSON UserData has none:
 * validating UserData itself is the submit use-case's job.
 */
export function notifyAddressOf(userData: string | null): unknown {
  if (userData === null || userData === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(userData);
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
  const value = (parsed as Record<string, unknown>).NotifyAddress;
  return value === undefined || value === null || value === '' ? null : value;
}

/** Submit-time check of a UserData text's NotifyAddress, if it has one. */
export function validateUserDataNotifyAddress(userData: string | null): void {
  const value = notifyAddressOf(userData);
  if (value !== null) validateNotifyAddress(value);
}

/**
 * Picks the callback target for one event. The per-job NotifyAddress wins (ICE leaves precedence
 * open; this is the reference's suggestion); otherwise the global callback, when it subscribes to
 * the event type (an empty subscription list subscribes to everything).
 */
export function notifyTargetOf(args: {
  userData: string | null;
  globalSettings: EventCallbackSettings | null;
  eventType: string;
}): NotifyTarget {
  const address = notifyAddressOf(args.userData);
  if (typeof address === 'string') {
    const target = parseNotifyAddress(address);
    if (target !== null) return target;
  }
  const settings = args.globalSettings;
  if (settings === null) return { kind: 'none' };
  if (settings.eventTypes.length > 0 && !settings.eventTypes.includes(args.eventType)) return { kind: 'none' };
  if (settings.callbackType === 'HTTP' && settings.callbackUrl) return { kind: 'http', url: settings.callbackUrl };
  if (settings.callbackType === 'MNS' && settings.callbackQueueName) return { kind: 'queue', queue: settings.callbackQueueName };
  return { kind: 'none' };
}
