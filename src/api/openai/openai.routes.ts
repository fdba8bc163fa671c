/**
 * OpenAI-compatible speech: POST /v1/audio/speech, GET /v1/models and GET /v1/models/{id}, so the
 * official `openai` SDK works against Narrate by changing baseURL. Audio streams out piece by
 * piece: the first bytes leave as soon as the first sentence is synthesised, and synthesis stops
 * when the client goes away. Everything else under /v1 (unknown paths, wrong methods) answers in
 * OpenAI's error shape and status too.
 */
import { once } from 'node:events';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessKeyRecord } from '../../store/store.types.js';
import { constantTimeEqual } from '../ice/constant-time.js';
import { createPcmTranscoder, isExtraFormat, STREAM_CONTENT_TYPES, type PcmTranscoder } from '../../audio/stream-encoder.js';
import type { SpeechService } from '../../speech/speech.service.js';
import type { SpeechPlan } from '../../speech/speech.types.js';
import type { Metrics } from '../../metrics/metrics.js';
import { EDITING_DEFAULTS, type EditingConfig } from '../../jobs/editing-config.models.js';
import type { RateLimiter } from '../ice/ice.rate-limit.js';
import { openAiErrorBody, openAiErrors } from './openai.errors.js';
import { bearerToken } from '../bearer-token.js';

/**
 * Models a client may name; all are served by the same pipeline (the voice decides the engine).
 * OpenAI's four speech models (the SDK's SpeechModel, the dated snapshot included), `kokoro` as
 * Kokoro-FastAPI clients send it, and `narrate`.
 */
export const OPENAI_MODELS = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'gpt-4o-mini-tts-2025-12-15', 'kokoro', 'narrate'] as const;
/** OpenAI's instructions are at most 4096 characters (its API refuses more). */
export const MAX_INSTRUCTIONS_CHARS = 4096;
/**
 * OpenAI's built-in voices beyond the first six have no catalog entry: each speaks as the catalog
 * voice of its gender (OpenAI's own descriptions), so code written for `coral` or `marin` works.
 */
export const OPENAI_VOICE_ALIASES: Readonly<Record<string, string>> = {
  ash: 'echo',
  ballad: 'onyx',
  coral: 'nova',
  sage: 'shimmer',
  verse: 'echo',
  marin: 'alloy',
  cedar: 'onyx',
};
/** opus is Ogg Opus (RFC 7845) and flac native FLAC, both re-encoded from the pipeline's PCM. */
export const OPENAI_FORMATS = ['mp3', 'wav', 'pcm', 'opus', 'flac'] as const;
export type OpenAiFormat = (typeof OPENAI_FORMATS)[number];
/** Formats OpenAI has that Narrate has no proven encoder for: a clear 400, not a surprise. */
const UNSUPPORTED_FORMATS = ['aac'];
/** OpenAI's audio is 24 kHz mono 16-bit; clients that play raw pcm assume it. */
export const OPENAI_SAMPLE_RATE = 24000;
/**
 * A speech stream whose client takes no bytes for this long is ended. Backpressure stops synthesis
 * while a client reads slowly, but one that stopped reading for good (a suspended app, a peer whose
 * TCP connection stays up) would otherwise hold its encoder, the pieces in flight and its socket for
 * as long as the connection lives. Generous, so a player that pauses for a while is not cut off.
 */
export const STALLED_CLIENT_MS = 300_000;
/** The access-key permission that allows this endpoint and /v1/models (besides `*`). */
export const SPEECH_PERMISSION = 'narrate:CreateSpeech';

/**
 * Whether a key's allowed actions grant SPEECH_PERMISSION: `*` or the exact name. The one place the
 * OpenAI routes match it (the ICE `authorize` matches only `ice:` actions).
 */
export function maySpeak(allowedActions: readonly string[]): boolean {
  return allowedActions.includes('*') || allowedActions.includes(SPEECH_PERMISSION);
}

interface SpeechBody {
  model?: unknown;
  input?: unknown;
  voice?: unknown;
  response_format?: unknown;
  speed?: unknown;
  instructions?: unknown;
  stream_format?: unknown;
}

export interface SpeechRequest {
  input: string;
  voice: string;
  format: OpenAiFormat;
  /** 0.25–4; outside the engines' native 0.5–2 the speech service time-stretches with Rubber Band. */
  speed: number;
  streamFormat: 'audio' | 'sse';
}

/** The voice name a request asks for: a string, or OpenAI's custom-voice object `{ "id": … }`. */
function voiceName(voice: unknown): string | null {
  const name = typeof voice === 'string' ? voice : typeof voice === 'object' && voice !== null && !Array.isArray(voice) ? (voice as { id?: unknown }).id : undefined;
  if (typeof name !== 'string' || name.trim() === '') return null;
  return OPENAI_VOICE_ALIASES[name.toLowerCase()] ?? name;
}

/** Validates OpenAI's SpeechCreateParams; the error names the offending field as OpenAI does. */
export function parseSpeechBody(body: unknown): SpeechRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw openAiErrors.invalid('body', 'The request body must be a JSON object.');
  const fields = body as SpeechBody;
  if (typeof fields.model !== 'string' || !(OPENAI_MODELS as readonly string[]).includes(fields.model)) {
    throw openAiErrors.invalid('model', `model must be one of ${OPENAI_MODELS.join(', ')}.`);
  }
  if (typeof fields.input !== 'string' || fields.input.trim() === '') throw openAiErrors.invalid('input', 'input must be a non-empty string.');
  const voice = voiceName(fields.voice);
  if (voice === null) {
    throw openAiErrors.invalid('voice', 'voice must be a voice name (an OpenAI voice such as alloy or coral, or any name ListSmartVoiceGroups lists), or {"id": name}.');
  }
  // Absent and null mean the default for every optional field, response_format included.
  const format = fields.response_format === undefined || fields.response_format === null ? 'mp3' : fields.response_format;
  if (typeof format !== 'string' || !(OPENAI_FORMATS as readonly string[]).includes(format)) {
    const hint = typeof format === 'string' && UNSUPPORTED_FORMATS.includes(format) ? ` ${format} is not supported by this server.` : '';
    throw openAiErrors.invalid('response_format', `response_format must be one of ${OPENAI_FORMATS.join(', ')}.${hint}`);
  }
  const speed = fields.speed === undefined || fields.speed === null ? 1 : fields.speed;
  if (typeof speed !== 'number' || !Number.isFinite(speed) || speed < 0.25 || speed > 4) throw openAiErrors.invalid('speed', 'speed must be a number from 0.25 to 4.0.');
  const streamFormat = fields.stream_format === undefined || fields.stream_format === null ? 'audio' : fields.stream_format;
  if (streamFormat !== 'audio' && streamFormat !== 'sse') throw openAiErrors.invalid('stream_format', 'stream_format must be "audio" or "sse".');
  if (fields.instructions !== undefined && fields.instructions !== null) {
    if (typeof fields.instructions !== 'string') throw openAiErrors.invalid('instructions', 'instructions must be a string.');
    if ([...fields.instructions].length > MAX_INSTRUCTIONS_CHARS) {
      throw openAiErrors.invalid('instructions', `instructions must be at most ${MAX_INSTRUCTIONS_CHARS} characters.`);
    }
  }
  // `instructions` (voice direction for gpt-4o-mini-tts) has no counterpart in these engines: accepted and ignored.
  return { input: fields.input, voice, format: format as OpenAiFormat, speed, streamFormat };
}

export function registerOpenAiRoutes(
  app: FastifyInstance,
  {
    speech,
    findKeys,
    allowAnonymous,
    metrics,
    rateLimiter,
    stalledClientMs = STALLED_CLIENT_MS,
  }: {
    speech: Pick<SpeechService, 'prepare' | 'render'>;
    findKeys: () => Promise<AccessKeyRecord[]>;
    allowAnonymous: boolean;
    metrics?: Pick<Metrics, 'speechStream'>;
    /** The same per-key limiter as the ICE API: a key's requests to either count against one budget. */
    rateLimiter?: Pick<RateLimiter, 'consume'>;
    /** How long a stream waits for a client that takes no bytes before ending it (STALLED_CLIENT_MS). */
    stalledClientMs?: number;
  },
) {
  // Malformed JSON and the like reach here from Fastify's parser: still OpenAI's error shape.
  app.setErrorHandler((error, request, reply) => sendError(request, reply, error));
  // Every OpenAI response names its request (the SDK exposes it as `requestID` on errors and
  // `_request_id` on results); the audio stream sets it itself, as it writes its own head.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  /** Any error as OpenAI's body, with Retry-After on a 429 and a log line for a 5xx. */
  function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
    const { status, body } = openAiErrorBody(error);
    if (status >= 500) request.log.error({ err: error }, 'openai request failed');
    const retryAfter = (error as { retryAfterSeconds?: number } | null)?.retryAfterSeconds;
    if (status === 429 && retryAfter !== undefined) reply.header('retry-after', String(Math.ceil(retryAfter)));
    return reply.code(status).send(body);
  }

  /**
   * Bearer token = an access key secret, or "id:secret" (unambiguous when two keys share a secret).
   * No token is a 401 without a code, a token no active key has a 401 invalid_api_key, and a valid
   * key without SPEECH_PERMISSION a 403 naming it.
   */
  async function authenticate(request: FastifyRequest): Promise<string> {
    const token = bearerToken(request.headers.authorization);
    if (!token) {
      if (allowAnonymous) return 'anonymous';
      throw openAiErrors.missingKey();
    }
    const keys = (await findKeys()).filter((key) => key.active);
    // Every key is compared, so the response time says nothing about which one nearly matched.
    // When two keys share a secret, one that may speak wins: a narrow key never shadows a broad one.
    let match: AccessKeyRecord | null = null;
    for (const key of keys) {
      if (!constantTimeEqual(token, `${key.id}:${key.secret}`) && !constantTimeEqual(token, key.secret)) continue;
      if (!match || (!maySpeak(match.allowedActions) && maySpeak(key.allowedActions))) match = key;
    }
    if (!match) throw openAiErrors.unauthorized();
    if (!maySpeak(match.allowedActions)) throw openAiErrors.permissionDenied(SPEECH_PERMISSION);
    return match.id;
  }

  /**
   * An onRequest hook, so it runs before the body is read, as OpenAI checks the key first: a request
   * without a valid key gets its 401/403 whatever its body, and its body is never parsed. Listing
   * models does not spend the key's rate budget (it never did); speech does.
   */
  const checkKey =
    ({ spendsRate }: { spendsRate: boolean }) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        const keyId = await authenticate(request);
        if (spendsRate) rateLimiter?.consume(keyId);
      } catch (error) {
        return sendError(request, reply, error);
      }
    };
  const guard = checkKey({ spendsRate: true });
  const authOnly = checkKey({ spendsRate: false });

  /** The request's path without its query string, capped: it is echoed in an error message. */
  const pathOf = (request: FastifyRequest) => request.url.split('?')[0].slice(0, 200);

  /** A known /v1 path asked with a method it does not answer: OpenAI's 405, with Allow. */
  function wrongMethod(allowed: string) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      reply.header('allow', allowed);
      return sendError(request, reply, openAiErrors.wrongMethod(request.method, pathOf(request)));
    };
  }

  app.post('/v1/audio/speech', { onRequest: guard }, async (request: FastifyRequest, reply: FastifyReply) => {
    let plan: SpeechPlan;
    let parsed: SpeechRequest;
    let transcoder: PcmTranscoder | undefined;
    try {
      parsed = parseSpeechBody(request.body);
      // Opus and FLAC are not pipeline formats: the pipeline renders PCM and the route re-encodes it.
      const renderFormat = isExtraFormat(parsed.format) ? 'pcm' : parsed.format;
      const editing: EditingConfig = { ...EDITING_DEFAULTS, voice: parsed.voice, format: renderFormat.toUpperCase() as EditingConfig['format'], sample_rate: OPENAI_SAMPLE_RATE };
      // Format and rate are fixed after prepare(): SSML in `input` must not change what the client asked for.
      plan = { ...speech.prepare({ inputText: parsed.input, editing }), speedMultiplier: parsed.speed, sampleRate: OPENAI_SAMPLE_RATE, format: renderFormat };
      if (isExtraFormat(parsed.format)) transcoder = await createPcmTranscoder({ format: parsed.format, sampleRate: OPENAI_SAMPLE_RATE });
    } catch (error) {
      return sendError(request, reply, error);
    }

    const out = reply.raw;
    const abort = new AbortController();
    // The response's close (not the request's, which fires once the body is read) says the client left.
    out.on('close', () => {
      if (!out.writableFinished) abort.abort(new Error('client went away'));
    });
    const sse = parsed.streamFormat === 'sse';
    reply.hijack();
    out.writeHead(200, {
      'content-type': sse ? 'text/event-stream' : STREAM_CONTENT_TYPES[parsed.format],
      'cache-control': 'no-store',
      'x-request-id': request.id,
    });
    const stream = metrics?.speechStream({ format: parsed.format });
    /** The client took the buffered bytes; one that takes none for stalledClientMs is let go. */
    const drained = async () => {
      const stalled = setTimeout(() => abort.abort(new Error('client stopped reading')), stalledClientMs);
      try {
        await once(out, 'drain', { signal: abort.signal });
      } finally {
        clearTimeout(stalled);
      }
    };
    const send = async (chunk: Uint8Array) => {
      if (abort.signal.aborted) throw abort.signal.reason;
      if (chunk.length === 0) return;
      const data = sse ? `data: ${JSON.stringify({ type: 'speech.audio.delta', audio: Buffer.from(chunk).toString('base64') })}\n\n` : chunk;
      stream?.firstByte();
      // Backpressure: a slow client slows synthesis instead of filling memory.
      if (!out.write(data)) await drained();
    };
    try {
      // A streamed WAV keeps its "unknown length" header (0xFFFFFFFF sizes, as OpenAI's): the real one would come too late.
      if (transcoder) {
        const codec = transcoder;
        await send(codec.start());
        await speech.render({ plan, write: (pcm) => send(codec.push(pcm)), signal: abort.signal });
        await send(codec.finish());
      } else {
        await speech.render({ plan, write: send, signal: abort.signal });
      }
      if (sse) out.write(`data: ${JSON.stringify({ type: 'speech.audio.done', usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 } })}\n\n`);
      out.end();
      stream?.end('completed');
    } catch (error) {
      if (abort.signal.aborted) {
        stream?.end('aborted');
        request.log.info({ reason: (abort.signal.reason as Error).message }, 'speech stream stopped: the client went away');
      } else {
        stream?.end('failed');
        request.log.warn({ err: error }, 'speech stream failed');
      }
      // Headers are gone already: breaking the connection is the only way to tell the client it is incomplete.
      out.destroy();
    } finally {
      transcoder?.release();
    }
  });

  // Listing models needs SPEECH_PERMISSION too (403 without it, as speech): it is part of the same
  // OpenAI surface, and clients that probe it to check a connection learn of a missing permission there.
  const modelObject = (id: string) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'narrate' });
  app.get('/v1/models', { onRequest: authOnly }, async () => ({ object: 'list', data: OPENAI_MODELS.map(modelObject) }));
  // client.models.retrieve(id): the model, or OpenAI's 404 model_not_found.
  app.get('/v1/models/:model', { onRequest: authOnly }, async (request, reply) => {
    const { model } = request.params as { model: string };
    if (!(OPENAI_MODELS as readonly string[]).includes(model)) return sendError(request, reply, openAiErrors.modelNotFound(model));
    return modelObject(model);
  });

  // OpenAI answers a wrong method on a known path with 405, and an unknown /v1 path with 404, both
  // in its error shape; without these, Fastify's own {statusCode, error, message} would go out.
  const others = (allowed: string[]) => (['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const).filter((method) => !allowed.includes(method));
  app.route({ method: others(['POST']), url: '/v1/audio/speech', handler: wrongMethod('POST') });
  app.route({ method: others(['GET']), url: '/v1/models', handler: wrongMethod('GET, HEAD') });
  app.route({ method: others(['GET']), url: '/v1/models/:model', handler: wrongMethod('GET, HEAD') });
  const unknown = async (request: FastifyRequest, reply: FastifyReply) => sendError(request, reply, openAiErrors.unknownUrl(request.method, pathOf(request)));
  app.all('/v1', unknown);
  app.all('/v1/*', unknown);
}
