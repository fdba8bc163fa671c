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

function typeOf(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

export function openAiErrorBody(error: unknown): { status: number; body: OpenAiErrorBody } {
  // The per-key rate limit is one for both APIs; OpenAI's clients expect it as 429 (and retry on it).
  if (error instanceof AppError && error.code === 'Throttling.User') {
    return { status: 429, body: { error: { message: error.message, type: typeOf(429), param: null, code: 'rate_limit_exceeded' } } };
  }
  if (error instanceof AppError && !error.isInternal) {
    const param = error.param === undefined || error.param === null ? null : (PARAM_NAMES[error.param] ?? error.param);
    return { status: error.httpStatus, body: { error: { message: error.message, type: typeOf(error.httpStatus), param, code: error.code } } };
  }
  // Fastify's own client errors (malformed JSON, wrong content type, body too large) keep their status.
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const message = error instanceof Error ? error.message : 'The request is not valid.';
    return { status, body: { error: { message, type: typeOf(status), param: null, code: (error as { code?: string }).code ?? null } } };
  }
  return { status: 500, body: { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: 'InternalError' } } };
}

export const openAiErrors = {
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
};
