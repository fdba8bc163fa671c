import { errors, isAppError } from '../../shared/errors.js';

/**
 * Which failures mean "the database is down, unreachable or overloaded" rather than "this query is
 * wrong". The store turns them into ServiceUnavailable (HTTP 503, retryable) in one place, so the
 * api answers 503 instead of 500 and the worker may retry; everything else passes through untouched.
 */
export type ConnectionFailure = 'timeout' | 'unreachable' | 'lost' | 'starting' | 'overloaded';

/** Client-facing reasons: generic on purpose (never the host, URL or user); details stay in `cause`. */
const REASONS: Record<ConnectionFailure, string> = {
  timeout: 'the database did not answer in time.',
  unreachable: 'the database cannot be reached.',
  lost: 'the connection to the database was lost.',
  starting: 'the database is starting up or shutting down.',
  overloaded: 'the database has no free connections.',
};

const NETWORK_CODES: Record<string, ConnectionFailure> = {
  ETIMEDOUT: 'timeout',
  ECONNREFUSED: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ENETUNREACH: 'unreachable',
  ENETDOWN: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  ECONNRESET: 'lost',
  ECONNABORTED: 'lost',
  EPIPE: 'lost',
};

const SQLSTATES: Record<string, ConnectionFailure> = {
  '57014': 'timeout', // query_canceled: statement_timeout (or an operator's pg_cancel_backend)
  '57P01': 'lost', // admin_shutdown: pg_terminate_backend, a fast shutdown
  '57P02': 'lost', // crash_shutdown
  '57P03': 'starting', // cannot_connect_now: starting up, shutting down, recovery
  '57P05': 'lost', // idle_session_timeout
  '25P03': 'lost', // idle_in_transaction_session_timeout ended the session
  '53300': 'overloaded', // too_many_connections
};

/** node-postgres and pg-pool report these without a code. */
const MESSAGES: Array<[RegExp, ConnectionFailure]> = [
  [/timeout exceeded when trying to connect/i, 'timeout'], // pg-pool: no free connection, or connect too slow
  [/^Connection terminated due to connection timeout/i, 'timeout'], // pg-pool
  [/^Query read timeout$/i, 'timeout'], // pg: query_timeout
  [/^timeout expired$/i, 'timeout'], // pg: connectionTimeoutMillis on a bare Client
  [/^Connection terminated/i, 'lost'], // pg: the socket closed ("... unexpectedly")
  [/is not queryable/i, 'lost'], // pg: a client whose connection already failed
];

function classifyOne(error: object): ConnectionFailure | null {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    const byCode = NETWORK_CODES[code] ?? SQLSTATES[code];
    if (byCode) return byCode;
    if (/^08[0-9A-Z]{3}$/.test(code)) return 'lost'; // class 08: connection exception
  }
  const message = (error as { message?: unknown }).message;
  if (typeof message === 'string') {
    for (const [pattern, failure] of MESSAGES) if (pattern.test(message)) return failure;
  }
  return null;
}

/**
 * The kind of connection failure, or null when the error is something else (a constraint
 * violation, a bug, a schema problem). Looks through `cause` and AggregateError (Node reports a
 * refused dual-stack connect as one).
 */
export function classifyConnectionError(error: unknown): ConnectionFailure | null {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    if (isAppError(current) && current.code === 'ServiceUnavailable') return 'lost';
    const failure = classifyOne(current);
    if (failure) return failure;
    queue.push((current as { cause?: unknown }).cause);
    if (current instanceof AggregateError) queue.push(...current.errors);
  }
  return null;
}

export function isConnectionError(error: unknown): boolean {
  return classifyConnectionError(error) !== null;
}

/**
 * What a store method throws: ServiceUnavailable (the original error as `cause`, for logs) for a
 * connection-class failure, anything else unchanged.
 */
export function toStoreError(error: unknown): unknown {
  if (isAppError(error)) return error;
  const failure = classifyConnectionError(error);
  if (!failure) return error;
  return errors.serviceUnavailable(REASONS[failure], error);
}

/** A timeout of our own (e.g. the LISTEN connection's), classified like a network timeout. */
export function timeoutError(what: string, ms: number): Error {
  return Object.assign(new Error(`${what}: no answer from PostgreSQL within ${ms} ms`), { code: 'ETIMEDOUT' });
}
