import { randomUUID } from 'node:crypto';
import { AppError, errors, isAppError } from '../../shared/errors.js';
import type { IceFormat } from './ice.request.js';

export const JSON_CONTENT_TYPE = 'application/json;charset=utf-8';
/** Exactly the string @alicloud/openapi-core compares against to parse XML error bodies. */
export const XML_CONTENT_TYPE = 'text/xml;charset=utf-8';

/** A formatted response, ready to send. */
export interface IceResponse {
  status: number;
  headers: Record<string, string>;
  contentType: string;
  payload: string;
}

/** RequestId shape: an upper-case UUID, as Alibaba's gateway returns. */
export function newIceRequestId(): string {
  return randomUUID().toUpperCase();
}

/**
 * A 200 response: `RequestId` first, then the handler's fields. A top-level `Code` field is
 * dropped, because @alicloud/pop-core treats any `Code` outside 200/OK/Success as an error.
 * XML: root `<{Action}Response>`; an array becomes the same element repeated (so an empty
 * array disappears), `null` an empty element, `undefined` nothing.
 */
export function formatIceSuccess(args: { body: object; format: IceFormat; action: string; requestId: string }): IceResponse {
  const body: Record<string, unknown> = { RequestId: args.requestId };
  for (const [name, value] of Object.entries(args.body)) if (name !== 'Code' && name !== 'RequestId') body[name] = value;
  return {
    status: 200,
    headers: { 'x-acs-request-id': args.requestId },
    ...render({ body, format: args.format, root: `${args.action}Response` }),
  };
}

/**
 * An error response: the AppError's status and code, or 500 InternalError with no detail for
 * anything else (and for AppErrors marked internal). Body fields RequestId, HostId, Code,
 * Message, Recommend (reference §6.1); XML root `<Error>`. A throttled error adds `x-acs-retry-after`.
 */
export function formatIceError(args: { error: unknown; requestId: string; hostId: string; format: IceFormat }): IceResponse {
  const error = publicError(args.error);
  const body = {
    RequestId: args.requestId,
    HostId: args.hostId,
    Code: error.code,
    Message: error.message,
    Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}&product=ICE&requestId=${encodeURIComponent(args.requestId)}`,
  };
  const headers: Record<string, string> = { 'x-acs-request-id': args.requestId };
  if (error.retryAfterSeconds !== undefined && error.retryAfterSeconds > 0) headers['x-acs-retry-after'] = String(Math.ceil(error.retryAfterSeconds));
  return { status: error.httpStatus, headers, ...render({ body, format: args.format, root: 'Error' }) };
}

/** What a client may see of an error. */
export function publicError(error: unknown): AppError {
  if (isAppError(error) && !error.isInternal) return error;
  return errors.internal();
}

function render(args: { body: Record<string, unknown>; format: IceFormat; root: string }): Pick<IceResponse, 'contentType' | 'payload'> {
  if (args.format === 'XML') {
    return { contentType: XML_CONTENT_TYPE, payload: `<?xml version="1.0" encoding="UTF-8"?>${toXml(args.root, args.body)}` };
  }
  return { contentType: JSON_CONTENT_TYPE, payload: JSON.stringify(args.body) };
}

/** Serialises a JSON-like value as XML elements named `name` (see formatIceSuccess for the conventions). */
export function toXml(name: string, value: unknown): string {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return '';
  const tag = xmlName(name);
  if (Array.isArray(value)) return value.map((item) => toXml(name, item)).join('');
  if (value === null) return `<${tag}></${tag}>`;
  if (value instanceof Date) return `<${tag}>${value.toISOString()}</${tag}>`;
  if (typeof value === 'object') {
    const inner = Object.entries(value as Record<string, unknown>)
      .map(([key, child]) => toXml(key, child))
      .join('');
    return `<${tag}>${inner}</${tag}>`;
  }
  return `<${tag}>${escapeXml(String(value))}</${tag}>`;
}

function escapeXml(text: string): string {
  return (
    text
      // Characters XML 1.0 cannot carry at all (control characters, lone surrogates) are dropped.
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

/** Keys are ours (PascalCase), but a key that is not an XML name must still give well-formed XML. */
function xmlName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}
