/** OpenAI's error shape: {"error": {"message", "type", "param", "code"}}, the one formatter for /v1. */
import { AppError } from '../../shared/errors.js';

export interface OpenAiErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/**
 * The pipeline names parameters the ICE way (EditingConfig.voice, InputConfig); an OpenAI client
 * sent `voice` and `input`, so that is what its error names.
 */
const PARAM_NAMES: Record<string, string> = {
  InputConfig: 'input',
  'EditingConfig.voice': 'voice',
  'EditingConfig.customizedVoice': 'voice',
  'EditingConfig.format': 'response_format',
};

/** An AppError code that goes out as `code: null`. */
const NULL_CODE = 'openai.null_code';

/**
 * OpenAI's `type`: invalid_request_error for every 4xx it answers, 401 and 404 included (an
 * incorrect key is {type: invalid_request_error, code: invalid_api_key}; an unknown URL is
 * invalid_request_error too). 403 and 429 keep Narrate's documented permission_error and
 * rate_limit_error: the SDK maps errors by status, not by type.
 */
function typeOf(status: number): string {
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

export function openAiErrorBody(error: unknown): { status: number; body: OpenAiErrorBody } {
  // The per-key rate limit is one for both APIs; OpenAI's clients expect it as 429 (and retry on it).
  if (error instanceof AppError && error.code === 'Throttling.User') {
    return { status: 429, body: { error: { message: error.message, type: typeOf(429), param: null, code: 'rate_limit_exceeded' } } };
  }
  if (error instanceof AppError && !error.isInternal) {
    const renamed = error.param === undefined || error.param === null ? undefined : PARAM_NAMES[error.param];
    const param = renamed ?? error.param ?? null;
    // The message names the parameter too ("InputConfig has 10001 characters"): the client's name there as well.
    const message = renamed ? error.message.replaceAll(error.param!, renamed) : error.message;
    // OpenAI sends `code: null` where it has no code (a missing key, an unknown URL): NULL_CODE says so.
    const code = error.code === NULL_CODE ? null : error.code;
    return { status: error.httpStatus, body: { error: { message, type: typeOf(error.httpStatus), param, code } } };
  }
  // Fastify's own client errors (malformed JSON, wrong content type, body too large) keep their
  // status; their FST_ codes are Fastify's, not OpenAI's, which sends none for these.
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const fastifyCode = (error as { code?: unknown }).code;
    const message =
      fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' || fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY'
        ? 'We could not parse the JSON body of your request. The API expects a JSON payload, but what was sent was not valid JSON.'
        : error instanceof Error
          ? error.message
          : 'The request is not valid.';
    return { status, body: { error: { message, type: typeOf(status), param: null, code: null } } };
  }
  return { status: 500, body: { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: 'InternalError' } } };
}

export const openAiErrors = {
  /** No bearer token at all: OpenAI's own message for it, and no code. */
  missingKey: () =>
    new AppError(
      NULL_CODE,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer KEYID:SECRET, or the access key secret alone).",
      401,
    ),
  unauthorized: () =>
    new AppError('invalid_api_key', 'Incorrect API key provided. Use an access key secret (or "id:secret") as the bearer token.', 401),
  /**
   * A valid key whose allowed actions lack `permission`: 403 (the SDK's PermissionDeniedError), so
   * the client is not told its key is wrong when it is merely not permitted.
   */
  permissionDenied: (permission: string) =>
    new AppError(
      'insufficient_permissions',
      `You have insufficient permissions for this operation. The access key is valid, but its allowed actions do not include ${permission}, which the OpenAI-compatible endpoints need. Use a key allowed ${permission} (or *), e.g. one made with \`narrate keys create --actions ${permission}\`.`,
      403,
    ),
  invalid: (param: string, message: string) => new AppError('invalid_request_error', message, 400, { param }),
  /** OpenAI: 404 `Invalid URL (POST /v1/…)`, invalid_request_error, code unknown_url. */
  unknownUrl: (method: string, url: string) => new AppError('unknown_url', `Invalid URL (${method} ${url})`, 404),
  /** OpenAI: 405 `Invalid method for URL (GET /v1/…)`, invalid_request_error, no code. */
  wrongMethod: (method: string, url: string) => new AppError(NULL_CODE, `Invalid method for URL (${method} ${url})`, 405),
  /** OpenAI: 404 model_not_found naming `model`. */
  modelNotFound: (model: string) => new AppError('model_not_found', `The model '${model}' does not exist`, 404, { param: 'model' }),
};
