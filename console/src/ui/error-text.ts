import { IceError } from '../api/ice-client.js';
import type { Translate } from '../i18n/messages.js';

/**
 * One line for an error: the ICE Code and Message; a sentence when the server was not reached or
 * answered with something that is not an ICE error (a proxy page, a 503 while shutting down).
 */
export function errorText(error: unknown, t: Translate): string {
  if (error instanceof IceError) {
    if (error.status === 0) return t('errorNetwork');
    if (error.code === 'SignatureDoesNotMatch') return t('errorSignature');
    // Throttling.User (the per-key rate limit, or too many event streams): a wait, not a fault.
    if (error.code.startsWith('Throttling')) return t('errorThrottled');
    if (error.code === `HTTP${error.status}`) return t('errorHttp', { status: error.status, message: error.message });
    return `${error.code}: ${error.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Whether the server was not reached at all, or only a proxy or a server shutting down answered. */
export function isUnreachable(error: unknown): boolean {
  return error instanceof IceError && (error.status === 0 || (error.code === `HTTP${error.status}` && [502, 503, 504].includes(error.status)));
}
