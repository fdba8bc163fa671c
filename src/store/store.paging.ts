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

/** Years 1 to 9999: every real creation time, and inside both stores' (and JavaScript's) range. */
const MIN_CREATED_AT_MS = Date.parse('0001-01-01T00:00:00.000Z');
const MAX_CREATED_AT_MS = Date.parse('9999-12-31T23:59:59.999Z');
const JOB_ID = /^[0-9a-f]{32}$/;

export function encodePageToken(cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAtMs, cursor.id]), 'utf8').toString('base64url');
}

export function decodePageToken(token: string): PageCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    // Only what this service issues: a job's id and a time PostgreSQL can hold. A forged token
    // outside that (a NUL in the id, a year PostgreSQL refuses) would otherwise fail there as an
    // internal error, where SQLite just returns an empty page.
    if (
      Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) &&
      value[0] >= MIN_CREATED_AT_MS && value[0] <= MAX_CREATED_AT_MS && typeof value[1] === 'string' && JOB_ID.test(value[1])
    ) {
      return { createdAtMs: value[0] as number, id: value[1] };
    }
  } catch {
    // fall through to the client error below
  }
  throw errors.invalidParameter('NextToken', 'it is not a token this service returned');
}
