/**
 * One error type for the whole service. `code` is the public, stable string a client sees
 * (the ICE gateway vocabulary: `InvalidParameter`, `MissingEditingConfig`, `JobNotFound`, ...);
 * every code is listed in docs/errors.md and in ERROR_CATALOG below, and a code is never reused
 * for a different meaning.
 */
export interface AppErrorOptions {
  /** The request parameter the error is about, so a client (or the console) can point at the field. */
  param?: string;
  cause?: unknown;
  /** Internal errors never show their message to clients; they become a generic InternalError. */
  isInternal?: boolean;
  /** Seconds a throttled client should wait; sent as `x-acs-retry-after`. */
  retryAfterSeconds?: number;
}

export class AppError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly param?: string;
  readonly isInternal: boolean;
  readonly retryAfterSeconds?: number;

  constructor(code: string, message: string, httpStatus: number, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.httpStatus = httpStatus;
    this.param = options.param;
    this.isInternal = options.isInternal ?? false;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Turns anything thrown into an Error, keeping the original as `cause`. */
export function coerceError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === 'string' ? value : JSON.stringify(value), { cause: value });
}

/**
 * The catalog. Factories rather than constants so the message can name the parameter.
 * HTTP statuses follow Alibaba's gateway table (reference §6.2) where a code exists there.
 */
export const errors = {
  missingParameter: (name: string) =>
    new AppError(`Missing${name}`, `${name} is mandatory for this action.`, 400, { param: name }),
  invalidParameter: (name: string, reason: string) =>
    new AppError('InvalidParameter', `The specified parameter ${name} is not valid: ${reason}`, 400, { param: name }),
  tooManyParameters: (max: number) =>
    new AppError('InvalidParameter', `The request is not valid: it has more than ${max} parameters (query and body each).`, 400),
  duplicateParameter: (name: string) =>
    new AppError('InvalidParameter', `The specified parameter ${name} is not valid: it was given more than once.`, 400, { param: name }),
  invalidFormat: (value: string) =>
    new AppError('InvalidParameter.Format', `Format must be JSON or XML, not "${value}".`, 400, { param: 'Format' }),
  /** `from`: where the name came from; the message says so unless it is EditingConfig.voice. */
  invalidVoice: (voice: string, from: 'EditingConfig.voice' | 'EditingConfig.customizedVoice' | 'InputConfig' = 'EditingConfig.voice') =>
    new AppError(
      'InvalidParameter.Voice',
      `The ${from === 'EditingConfig.customizedVoice' ? 'customizedVoice' : 'voice'} "${voice}"${from === 'InputConfig' ? ' named in the SSML (<speak voice>)' : ''} is not known. ListSmartVoiceGroups lists the voices.`,
      400,
      { param: from },
    ),
  invalidSsml: (reason: string, position?: { line: number; column: number }) =>
    new AppError(
      'InvalidParameter.Ssml',
      position ? `The SSML in InputConfig is not valid at line ${position.line}, column ${position.column}: ${reason}` : `The SSML in InputConfig is not valid: ${reason}`,
      400,
      { param: 'InputConfig' },
    ),
  textTooLong: (count: number, limit: number) =>
    new AppError('InvalidParameter.TextTooLong', `InputConfig has ${count} characters; at most ${limit} are allowed.`, 400, { param: 'InputConfig' }),
  actionNotFound: (action: string) =>
    new AppError('InvalidAction.NotFound', `Specified api is not found, please check your url and method. (Action "${action}")`, 404, { param: 'Action' }),
  jobNotFound: (jobId: string) =>
    new AppError('JobNotFound', `The specified job not found: ${jobId}`, 404, { param: 'JobId' }),
  mediaNotFound: (mediaId: string) =>
    new AppError('MediaNotFound', `The specified media not found: ${mediaId}`, 404, { param: 'MediaId' }),
  objectNotFound: (what: string) => new AppError('ObjectNotFound', `The specified object does not exist: ${what}`, 404),

  // Authentication and authorisation (reference §6.2).
  accessKeyNotFound: () => new AppError('InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404, { param: 'AccessKeyId' }),
  accessKeyInactive: () => new AppError('InvalidAccessKeyId.Inactive', 'Specified access key is disabled.', 400, { param: 'AccessKeyId' }),
  signatureMismatch: () => new AppError('SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.', 400, { param: 'Signature' }),
  incompleteSignature: (reason: string) => new AppError('IncompleteSignature', `The request signature does not conform to Aliyun standards: ${reason}`, 400),
  invalidSignatureMethod: (method: string) => new AppError('InvalidSignatureMethod', `Specified signature method "${method}" is not supported.`, 400, { param: 'SignatureMethod' }),
  timestampFormat: () => new AppError('InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.', 400, { param: 'Timestamp' }),
  timestampExpired: () => new AppError('InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired (more than 15 minutes from server time).', 400, { param: 'Timestamp' }),
  nonceUsed: () => new AppError('SignatureNonceUsed', 'Specified signature nonce was used already.', 400, { param: 'SignatureNonce' }),
  missingCredentials: () => new AppError('MissingAccessKeyId', 'AccessKeyId is mandatory for this action: sign the request, or start the server with --allow-anonymous.', 400, { param: 'AccessKeyId' }),
  forbidden: (action: string) => new AppError('Forbidden.RAM', `User not authorized to operate on the specified resource: this access key may not call ice:${action}.`, 403),
  // 400 as Alibaba's gateway answers (reference §6.2); the SDKs recognise throttling by the
  // x-acs-retry-after header, whatever the status. The OpenAI endpoint answers it as 429.
  throttled: (retryAfterSeconds: number) =>
    new AppError('Throttling.User', 'Request was denied due to user flow control.', 400, { retryAfterSeconds }),
  /** /metrics with --metrics-token set, scraped without that token. */
  metricsTokenRequired: () => new AppError('Unauthorized', "This server's /metrics needs its bearer token (--metrics-token).", 401),
  /** Throttling.User too (the SDKs back off on it), with the reason: streams, not requests. */
  tooManyStreams: (max: number) =>
    new AppError('Throttling.User', `Request was denied due to user flow control: this key already has ${max} job event streams open.`, 400, { retryAfterSeconds: 5 }),
  unsupportedMethod: (method: string) => new AppError('UnsupportedHTTPMethod', `HTTP method ${method} is not supported.`, 400),
  /** Like signatureMismatch, plus what the server signed (Alibaba's gateway does this); callers pass only secret-free text. */
  signatureMismatchDetail: (serverSigned: string) =>
    new AppError('SignatureDoesNotMatch', `Specified signature is not matched with our calculation. server string to sign is:${serverSigned}`, 400, { param: 'Signature' }),
  contentHashMismatch: () =>
    new AppError('IncompleteSignature', 'The request signature does not conform to Aliyun standards: x-acs-content-sha256 does not match the SHA-256 of the request body.', 400),
  bodyTooLarge: (limitBytes: number) =>
    new AppError('InvalidParameter.BodyTooLarge', `The request body is larger than ${limitBytes} bytes.`, 413),
  malformedRequest: (reason: string) => new AppError('InvalidParameter', `The request is not valid: ${reason}`, 400),

  /** The engine could not speak (a voice pack is incomplete or broken, the runtime failed); the job fails with this code. */
  synthesisFailed: (reason: string, cause?: unknown) =>
    new AppError('SynthesisFailed', `Speech synthesis failed: ${reason}`, 500, { cause, isInternal: false }),
  internal: (cause?: unknown) => new AppError('InternalError', 'The request processing has failed due to some unknown error.', 500, { cause, isInternal: true }),
  /** A dependency (database, object store) is down; clients may retry after a short wait. */
  serviceUnavailable: (reason: string, cause?: unknown) =>
    new AppError('ServiceUnavailable', `The service is not available: ${reason}`, 503, { cause, retryAfterSeconds: 1 }),
  /** A byte range that starts at or past the end of the object (S3's `InvalidRange`, HTTP 416). */
  rangeNotSatisfiable: (size: number) =>
    new AppError('InvalidRange', `The requested range is not satisfiable: the object has ${size} bytes.`, 416, { param: 'Range' }),

  // Voice packs (`narrate voices pull`).
  packUnknown: (name: string) =>
    new AppError('VoicePack.Unknown', `The voice pack "${name}" is not in the pack catalog; give its URL instead (narrate voices pull --url URL --sha256 HEX).`, 404, { param: 'name' }),
  packAlreadyInstalled: (name: string) =>
    new AppError('VoicePack.AlreadyInstalled', `The voice pack "${name}" is already installed; use --force to replace it.`, 409, { param: 'name' }),
  packChecksumMissing: (name: string) =>
    new AppError('VoicePack.ChecksumMissing', `No sha256 is known for the voice pack "${name}" and its server publishes none; pass --sha256 HEX, or --insecure-skip-checksum to install it unverified.`, 400, { param: 'sha256' }),
  packChecksumMismatch: (name: string, expected: string, actual: string) =>
    new AppError('VoicePack.ChecksumMismatch', `The download of "${name}" has sha256 ${actual}, not the expected ${expected}; nothing was installed.`, 502),
  packDownloadFailed: (name: string, reason: string, cause?: unknown) =>
    new AppError('VoicePack.DownloadFailed', `Downloading the voice pack "${name}" failed: ${reason}; nothing was installed.`, 502, { cause }),
  packArchiveInvalid: (name: string, reason: string, cause?: unknown) =>
    new AppError('VoicePack.ArchiveInvalid', `The archive of the voice pack "${name}" was refused: ${reason}; nothing was installed.`, 422, { cause }),

  // Callback deliveries (the outbox).
  deliveryNotFound: (id: string) =>
    new AppError('DeliveryNotFound', `The specified callback delivery not found: ${id}`, 404, { param: 'DeliveryId' }),
} as const;

/**
 * Codes a failed job reports in GetSmartHandleJob `ErrorCode` (the job was accepted, then failed).
 * Decided by us: the reference (§2.5) leaves them open.
 */
export const JOB_ERROR_CODES = {
  /** Overwrite=false and the object already exists. */
  objectExists: 'OutputObjectExists',
  /** The object store refused or lost the write. */
  outputWriteFailed: 'OutputWriteFailed',
  /** OutputConfig names a bucket the object store does not have (S3; local buckets are created). */
  bucketNotFound: 'OutputBucketNotFound',
  /** The engine failed on this text (model missing, runtime error). */
  synthesisFailed: 'SynthesisFailed',
  /** Anything else. */
  internal: 'InternalError',
} as const;
