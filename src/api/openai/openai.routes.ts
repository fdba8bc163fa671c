/**
 * OpenAI-compatible speech: POST /v1/audio/speech and GET /v1/models, so the official `openai`
 * SDK works against Narrate by changing baseURL. Audio streams out segment by segment: the first
 * bytes leave as soon as the first sentence is synthesised.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccessKeyRecord } from '../../store/store.types.js';
import { constantTimeEqual } from '../ice/constant-time.js';
import { CONTENT_TYPES } from '../../audio/content-types.js';
import type { SpeechService } from '../../speech/speech.service.js';
import { EDITING_DEFAULTS, type EditingConfig } from '../../jobs/editing-config.models.js';
import { openAiErrorBody, openAiErrors } from './openai.errors.js';

/** Models a client may name; all are served by the same pipeline (the voice decides the engine). */
export const OPENAI_MODELS = ['tts-1', 'tts-1-hd', 'gpt-4o-mini-tts', 'narrate'] as const;
const FORMATS = ['mp3', 'wav', 'pcm'] as const;
/** Formats OpenAI has that Narrate has no proven encoder for yet: a clear 400, not a surprise. */
const UNSUPPORTED_FORMATS = ['opus', 'aac', 'flac'];
/** OpenAI's audio is 24 kHz mono; clients that play raw pcm assume it. */
const OPENAI_SAMPLE_RATE = 24000;

interface SpeechBody {
  model?: unknown;
  input?: unknown;
  voice?: unknown;
  response_format?: unknown;
  speed?: unknown;
  instructions?: unknown;
  stream_format?: unknown;
}

export function registerOpenAiRoutes(
  app: FastifyInstance,
  { speech, findKeys, allowAnonymous }: { speech: SpeechService; findKeys: () => Promise<AccessKeyRecord[]>; allowAnonymous: boolean },
) {
  async function authenticate(request: FastifyRequest): Promise<string> {
    const header = request.headers.authorization ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (!token) {
      if (allowAnonymous) return 'anonymous';
      throw openAiErrors.unauthorized();
    }
    const keys = (await findKeys()).filter((key) => key.active && (key.allowedActions.includes('*') || key.allowedActions.includes('narrate:CreateSpeech')));
    // The token is "id:secret" or the bare secret; every key is compared so timing says nothing.
    let match: string | null = null;
    for (const key of keys) {
      if (constantTimeEqual(token, `${key.id}:${key.secret}`) || constantTimeEqual(token, key.secret)) match ??= key.id;
    }
    if (!match) throw openAiErrors.unauthorized();
    return match;
  }

  function parseBody(body: SpeechBody) {
    if (typeof body !== 'object' || body === null) throw openAiErrors.invalid('body', 'The request body must be a JSON object.');
    if (typeof body.model !== 'string' || !(OPENAI_MODELS as readonly string[]).includes(body.model)) {
      throw openAiErrors.invalid('model', `model must be one of ${OPENAI_MODELS.join(', ')}.`);
    }
    if (typeof body.input !== 'string' || body.input.trim() === '') throw openAiErrors.invalid('input', 'input must be a non-empty string.');
    if (typeof body.voice !== 'string' || body.voice === '') throw openAiErrors.invalid('voice', 'voice must be a voice name (GET /v1/audio/voices lists them).');
    const format = body.response_format === undefined ? 'mp3' : body.response_format;
    if (typeof format !== 'string' || !(FORMATS as readonly string[]).includes(format)) {
      const hint = typeof format === 'string' && UNSUPPORTED_FORMATS.includes(format) ? ` ${format} is not supported by this server yet.` : '';
      throw openAiErrors.invalid('response_format', `response_format must be one of ${FORMATS.join(', ')}.${hint}`);
    }
    const speed = body.speed === undefined ? 1 : body.speed;
    if (typeof speed !== 'number' || !Number.isFinite(speed) || speed < 0.25 || speed > 4) throw openAiErrors.invalid('speed', 'speed must be a number from 0.25 to 4.0.');
    const streamFormat = body.stream_format === undefined ? 'audio' : body.stream_format;
    if (streamFormat !== 'audio' && streamFormat !== 'sse') throw openAiErrors.invalid('stream_format', 'stream_format must be "audio" or "sse".');
    // `instructions` (voice direction for gpt-4o-mini-tts) has no counterpart in these engines: accepted and ignored.
    return { input: body.input, voice: body.voice, format: format as (typeof FORMATS)[number], speed, streamFormat };
  }

  app.post('/v1/audio/speech', async (request: FastifyRequest, reply: FastifyReply) => {
    let plan;
    let parsed;
    try {
      await authenticate(request);
      parsed = parseBody(request.body as SpeechBody);
      const editing: EditingConfig = { ...EDITING_DEFAULTS, voice: parsed.voice, format: parsed.format.toUpperCase() as EditingConfig['format'], sample_rate: OPENAI_SAMPLE_RATE };
      plan = { ...speech.prepare({ inputText: parsed.input, editing }), speedMultiplier: parsed.speed, sampleRate: OPENAI_SAMPLE_RATE, format: parsed.format };
    } catch (error) {
      const { status, body } = openAiErrorBody(error);
      return reply.code(status).send(body);
    }
    const abort = new AbortController();
    request.raw.on('close', () => {
      if (!reply.raw.writableEnded) abort.abort(new Error('client went away'));
    });
    const sse = parsed.streamFormat === 'sse';
    reply.raw.writeHead(200, {
      'content-type': sse ? 'text/event-stream' : CONTENT_TYPES[parsed.format],
      'transfer-encoding': 'chunked',
      'cache-control': 'no-store',
    });
    reply.hijack();
    const send = (chunk: Uint8Array) =>
      new Promise<void>((resolve) => {
        const data = sse ? `data: ${JSON.stringify({ type: 'speech.audio.delta', audio: Buffer.from(chunk).toString('base64') })}\n\n` : chunk;
        if (reply.raw.write(data)) resolve();
        else reply.raw.once('drain', () => resolve());
      });
    try {
      // A streamed WAV keeps its "unknown length" header: the real one would come too late.
      await speech.render({ plan, write: send, signal: abort.signal });
      if (sse) reply.raw.write(`data: ${JSON.stringify({ type: 'speech.audio.done', usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 } })}\n\n`);
      reply.raw.end();
    } catch (error) {
      request.log.warn({ err: error }, 'speech stream failed');
      reply.raw.destroy();
    }
  });

  app.get('/v1/models', async (request, reply) => {
    try {
      await authenticate(request);
    } catch (error) {
      const { status, body } = openAiErrorBody(error);
      return reply.code(status).send(body);
    }
    return { object: 'list', data: OPENAI_MODELS.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'narrate' })) };
  });
}
