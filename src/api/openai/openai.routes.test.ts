/**
 * /v1/audio/speech against a client that stops reading but keeps its connection open (a suspended
 * app, a peer whose TCP stays up): the stream must end and let go of its encoder and socket, not
 * wait for that client for ever. Real engine and encoders, a raw socket as the client.
 */
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoices } from '../../app/narrate.js';
import { createMetrics, type Metrics } from '../../metrics/metrics.js';
import { createSpeechService } from '../../speech/speech.service.js';
import { createStore } from '../../store/create-store.js';
import type { JobStore } from '../../store/store.types.js';
import { registerOpenAiRoutes } from './openai.routes.js';

/** Minutes of audio: far more PCM than the loopback socket buffers hold, so a client that stops reading stalls the stream. */
const LONG = Array.from({ length: 120 }, (_, i) => `This is sentence number ${i + 1} of a long text that streams while it is read.`).join(' ');

let dir: string;
let store: JobStore;
let voices: Awaited<ReturnType<typeof createVoices>>;
let metrics: Metrics;
let app: FastifyInstance;
let port: number;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'narrate-openai-'));
  store = await createStore({ dataDir: dir });
  voices = await createVoices({ voicesDir: path.join(dir, 'voices'), engineThreads: 1 });
  metrics = createMetrics({ store, defaultMetrics: false });
  app = Fastify();
  // Short, so the test need not wait out the real default; the point is that the stream ends at all.
  registerOpenAiRoutes(app, { speech: createSpeechService({ engines: voices.engines, resolver: voices.resolver }), findKeys: async () => [], allowAnonymous: true, metrics, stalledClientMs: 500 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await app?.close();
  await voices?.close();
  await store?.close();
  await rm(dir, { recursive: true, force: true });
});

async function gauge(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = metrics.registry.getSingleMetric(name);
  const values = (await metric!.get()).values;
  return values.filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)).reduce((sum, v) => sum + v.value, 0);
}

describe('POST /v1/audio/speech with a client that stops reading', () => {
  it('ends the stream and closes the connection instead of holding them for ever', async () => {
    const body = JSON.stringify({ model: 'tts-1', voice: 'alloy', input: LONG, response_format: 'pcm' });
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.on('error', () => {});
    socket.write(`POST /v1/audio/speech HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    // The first bytes arrive; after them the client reads nothing more and never hangs up.
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.pause();
    try {
      // A paused socket does not see the server hang up, so the server side is what is counted.
      // Generous: before the fix the stream stayed open as long as the client kept its connection.
      for (let waited = 0; waited < 30_000 && (await gauge('narrate_speech_streams_active')) > 0; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await gauge('narrate_speech_streams_active')).toBe(0);
      expect(await gauge('narrate_speech_requests_total', { format: 'pcm', outcome: 'aborted' })).toBe(1);
      const connections = await new Promise<number>((resolve, reject) => app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
      expect(connections).toBe(0);
    } finally {
      socket.destroy();
    }
  });
});
