import { errors } from '../shared/errors.js';

/**
 * Token paging over (created_at, id). The token is opaque to clients (base64url of a small JSON
 * pair) but deliberately not signed: it only says where to resume, and a forged one can only
 * move the window over rows the caller's filters already allow.
 */
export interface PageCursor {
  /** created_at of the last row returned, epoch ms. */
  createdAtMs: number;
  /** id of the last row returned (the tie-breaker for equal timestamps). */
  id: string;
}

export function encodePageToken(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAtMs, cursor.id]), 'utf8').toString('base64url');
}

export function decodePageToken(token: string): PageCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') {
      return { createdAtMs: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through to the client error below
  }
  throw errors.invalidParameter('NextToken', 'it is not a token this service returned');
}
