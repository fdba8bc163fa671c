import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { errors, isAppError } from '../../shared/errors.js';
import { authorize, type AuthenticateOptions, type IceIdentity } from './ice.auth.js';
import type { NonceUse } from '../../store/store.types.js';
import { formatIceError, formatIceSuccess, type IceResponse, newIceRequestId, publicError } from './ice.format.js';
import type { RateLimiter } from './ice.rate-limit.js';
import { type IceCommonParams, type IceFormat, type ParsedIceRequest, clip, guessIceFormat, parseIceRequest } from './ice.request.js';

/** Default limit for a form body. A 10,000-character Chinese text percent-encodes to ~90 KB. */
export const ICE_BODY_LIMIT_BYTES = 1024 * 1024;

/**
 * Options to spread into `Fastify({...})`. SDKs put the whole text in the URL (~90 KB for
 * 10,000 Chinese characters, more for the v1 signature's re-encoding), and Node's default
 * `maxHeaderSize` (16 KiB, request line included) would answer 431. Fastify passes `http` to
 * `http.createServer`; an HTTPS server needs the same value in its `https` options, and a
 * reverse proxy in front needs a matching limit (nginx `large_client_header_buffers`).
 */
export const ICE_SERVER_OPTIONS = { http: { maxHeaderSize: 512 * 1024 } } as const;

/** What an action handler gets. */
export interface IceActionContext {
  /** The action name as called. */
  action: string;
  /** Business parameters (query ∪ form body minus common parameters), strings as sent. */
  params: Record<string, string>;
  common: IceCommonParams;
  /** The authenticated key id, or `anonymous`. */
  keyId: string;
  /** The response format the client asked for. */
  format: IceFormat;
  requestId: string;
  request: FastifyRequest;
  /** For a handler with `recordsNonce`: the signed request's nonce, to record in its own write. */
  nonce?: NonceUse;
}

/**
 * Handles one ICE action. Returns the response fields as a plain object (PascalCase, no RequestId: it is added);
 * throws an AppError for a client error. Anything else thrown becomes a 500 InternalError.
 */
export type IceActionHandler = ((context: IceActionContext) => Promise<object> | object) & {
  /**
   * The handler records the request's nonce in the same transaction as its own write (context.nonce),
   * instead of the authenticator recording it first: one durable commit per request instead of two.
   */
  recordsNonce?: boolean;
};

export interface IceRpcPluginOptions {
  authenticator: { authenticate(parsed: ParsedIceRequest, options?: AuthenticateOptions): Promise<IceIdentity> };
  /** Per-key limit; omit for none. */
  rateLimiter?: Pick<RateLimiter, 'consume'>;
  /** Action name (exact, case-sensitive) → handler. */
  actions: Record<string, IceActionHandler>;
  /** `HostId` in error bodies; default the request's host name. */
  hostId?: string;
  /** Form body size limit in bytes; default ICE_BODY_LIMIT_BYTES. */
  bodyLimit?: number;
  /** RequestId generator; default upper-case random UUIDs. */
  newRequestId?: () => string;
}

/**
 * The ICE RPC endpoint at `/` (GET and POST): parse → authenticate → authorize → rate-limit →
 * action → formatted response. Every error, ours or Fastify's, leaves through formatIceError.
 * Register it encapsulated (plain `app.register`): it replaces the content-type parsers in its
 * own scope with one that keeps the raw body, which V3 signatures hash.
 */
export const iceRpcPlugin: FastifyPluginAsync<IceRpcPluginOptions> = async (app, options) => {
  const bodyLimit = options.bodyLimit ?? ICE_BODY_LIMIT_BYTES;
  const newRequestId = options.newRequestId ?? newIceRequestId;
  const requestIds = new WeakMap<FastifyRequest, string>();
  const requestIdOf = (request: FastifyRequest): string => {
    let id = requestIds.get(request);
    if (id === undefined) {
      id = newRequestId();
      requestIds.set(request, id);
    }
    return id;
  };
  const hostIdOf = (request: FastifyRequest): string => options.hostId ?? (request.hostname || 'localhost');
  const rawBodyOf = (request: FastifyRequest): Buffer | undefined => (Buffer.isBuffer(request.body) ? request.body : undefined);

  const sendError = (request: FastifyRequest, reply: FastifyReply, error: unknown, format: IceFormat | undefined): FastifyReply => {
    const requestId = requestIdOf(request);
    const shown = publicError(error);
    if (shown.httpStatus >= 500) request.log.error({ err: error, requestId, code: shown.code }, 'ICE request failed');
    else request.log.info({ requestId, code: shown.code }, 'ICE request refused');
    const response = formatIceError({
      error: shown,
      requestId,
      hostId: hostIdOf(request),
      format: format ?? guessIceFormat({ url: request.url, headers: request.headers, rawBody: rawBodyOf(request) }),
    });
    return send(reply, response);
  };

  app.removeAllContentTypeParsers();
  // One parser for every content type: the bytes stay as received. Only form bodies are read as
  // parameters (parseIceRequest); any other body is still covered by the V3 payload hash.
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request, reply) => sendError(request, reply, fromFastifyError(error, bodyLimit), undefined));

  app.route({
    // Every method a client may send to `/` gets an ICE answer (RequestId, Code): anything but GET and
    // POST is UnsupportedHTTPMethod, OPTIONS included (there is no CORS here; Fastify would answer its own 404).
    method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'],
    url: '/',
    bodyLimit,
    handler: async (request, reply) => {
      const requestId = requestIdOf(request);
      let format: IceFormat | undefined;
      try {
        const parsed = parseIceRequest({ method: request.method, url: request.url, headers: request.headers, rawBody: rawBodyOf(request) });
        format = parsed.format;
        const handler = Object.hasOwn(options.actions, parsed.action) ? options.actions[parsed.action] : undefined;
        const identity = await options.authenticator.authenticate(parsed, { deferNonce: handler?.recordsNonce === true });
        authorize({ action: parsed.action, allowedActions: identity.allowedActions });
        options.rateLimiter?.consume(identity.keyId);
        if (handler === undefined) throw errors.actionNotFound(clip(parsed.action));
        const body = await handler({
          action: parsed.action,
          params: parsed.params,
          common: parsed.common,
          keyId: identity.keyId,
          format: parsed.format,
          requestId,
          request,
          nonce: identity.nonce,
        });
        if (body === null || typeof body !== 'object' || Array.isArray(body)) throw errors.internal(new Error(`handler for ${parsed.action} returned no object`));
        return send(reply, formatIceSuccess({ body, format: parsed.format, action: parsed.action, requestId }));
      } catch (error) {
        return sendError(request, reply, error, format);
      }
    },
  });
};

function send(reply: FastifyReply, response: IceResponse): FastifyReply {
  return reply.code(response.status).headers(response.headers).type(response.contentType).send(response.payload);
}

/** Fastify's own client errors (body too large, bad content length) in the ICE vocabulary. */
function fromFastifyError(error: FastifyError, bodyLimit: number): unknown {
  if (isAppError(error)) return error;
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return errors.bodyTooLarge(bodyLimit);
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) return errors.malformedRequest(error.message);
  return errors.internal(error);
}

