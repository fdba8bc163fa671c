/** OpenAI's error shape: {"error": {"message", "type", "param", "code"}}. */
import { AppError } from '../../shared/errors.js';

export function openAiErrorBody(error: unknown): { status: number; body: { error: { message: string; type: string; param: string | null; code: string | null } } } {
  if (error instanceof AppError && !error.isInternal) {
    const type = error.httpStatus === 401 ? 'authentication_error' : error.httpStatus === 429 ? 'rate_limit_error' : error.httpStatus >= 500 ? 'server_error' : 'invalid_request_error';
    return { status: error.httpStatus, body: { error: { message: error.message, type, param: error.param ?? null, code: error.code } } };
  }
  return { status: 500, body: { error: { message: 'The server had an error while processing your request.', type: 'server_error', param: null, code: 'InternalError' } } };
}

export const openAiErrors = {
  unauthorized: () => new AppError('invalid_api_key', 'Incorrect API key provided. Use an access key secret (or "id:secret") as the bearer token.', 401),
  invalid: (param: string, message: string) => new AppError('invalid_request_error', message, 400, { param }),
};
