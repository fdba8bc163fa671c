import { describe, expect, it } from 'vitest';
import { AppError, errors } from '../../shared/errors.js';
import { classifyConnectionError, isConnectionError, timeoutError, toStoreError } from './postgres.errors.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('postgres connection errors', () => {
  it.each([
    ['ECONNREFUSED', 'unreachable'],
    ['ECONNRESET', 'lost'],
    ['ETIMEDOUT', 'timeout'],
    ['EHOSTUNREACH', 'unreachable'],
    ['ENOTFOUND', 'unreachable'],
    ['08006', 'lost'],
    ['08001', 'lost'],
    ['57P01', 'lost'],
    ['57P02', 'lost'],
    ['57P03', 'starting'],
    ['53300', 'overloaded'],
    ['57014', 'timeout'],
  ])('classifies code %s as %s', (code, kind) => {
    expect(classifyConnectionError(withCode(code))).toBe(kind);
  });

  it.each([
    ['Connection terminated unexpectedly', 'lost'],
    ['Connection terminated', 'lost'],
    ['Connection terminated due to connection timeout', 'timeout'],
    ['timeout exceeded when trying to connect', 'timeout'],
    ['Query read timeout', 'timeout'],
    ['Client has encountered a connection error and is not queryable', 'lost'],
  ])('classifies pg message "%s" as %s', (message, kind) => {
    expect(classifyConnectionError(new Error(message))).toBe(kind);
  });

  it('looks through cause and AggregateError', () => {
    expect(isConnectionError(new Error('wrapped', { cause: withCode('ECONNREFUSED') }))).toBe(true);
    expect(isConnectionError(Object.assign(new AggregateError([withCode('ECONNREFUSED')], ''), {}))).toBe(true);
    expect(isConnectionError(timeoutError('LISTEN connection', 5))).toBe(true);
  });

  it('leaves query errors, bugs and other AppErrors alone', () => {
    const unique = withCode('23505', 'duplicate key value violates unique constraint');
    expect(toStoreError(unique)).toBe(unique);
    const syntax = withCode('42601', 'syntax error');
    expect(toStoreError(syntax)).toBe(syntax);
    const bug = new TypeError('x is undefined');
    expect(toStoreError(bug)).toBe(bug);
    const nonce = errors.nonceUsed();
    expect(toStoreError(nonce)).toBe(nonce);
    expect(isConnectionError('just a string')).toBe(false);
    expect(isConnectionError(null)).toBe(false);
  });

  it('maps a connection failure to ServiceUnavailable (503), keeping the original as cause and the address out of the message', () => {
    const original = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5432'), { code: 'ECONNREFUSED', address: '10.1.2.3', port: 5432 });
    const mapped = toStoreError(original);
    expect(mapped).toBeInstanceOf(AppError);
    const appError = mapped as AppError;
    expect(appError.code).toBe('ServiceUnavailable');
    expect(appError.httpStatus).toBe(503);
    expect(appError.isInternal).toBe(false);
    expect(appError.cause).toBe(original);
    expect(appError.message).toMatch(/^The service is not available: /);
    expect(appError.message).not.toContain('10.1.2.3');
    expect(appError.message).not.toContain('5432');
    // Mapping twice changes nothing.
    expect(toStoreError(appError)).toBe(appError);
  });
});
