/**
 * The eSpeak NG thread's body (see espeak.thread.ts): one WebAssembly instance, one request at a
 * time, in the order they came. It also turns eSpeak's 16-bit samples into floats and, when a
 * request names an output rate and at most one other request is waiting, resamples them here:
 * this thread is keeping up (callers keep a few requests in flight, so one waiting is normal)
 * and the caller's thread, which encodes, is the busier one. When requests pile up behind it,
 * this thread is the bottleneck and the caller resamples.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { resampleAll } from '../audio/speex.resampler.js';
import { ESPEAK_SAMPLE_RATE } from './espeak-voices.models.js';

export interface SynthesizeMessage {
  id: number;
  type: 'synthesize';
  voice: string;
  rate: number;
  text: string;
  /** Deliver the samples at this rate instead of eSpeak's own. */
  sampleRate?: number;
}

export type ThreadMessage = { id: number; type: 'variants' } | SynthesizeMessage;

interface EspeakWorker {
  set_voice(voice: string): number;
  set_rate(rate: number): void;
  synthesize(text: string, onChunk: (audio: Int16Array, events: Array<{ type: string; text_position: number; word_length: number; audio_position: number }>) => boolean): void;
}

const port = parentPort!;
/** Requests received and not yet handled, oldest first. */
const queue: ThreadMessage[] = [];
let running = false;
const { espeakModuleUrl } = workerData as { espeakModuleUrl: string };
/**
 * Measured on bench/synth: 0 left the MP3 encoder's thread doing half the resampling; 2 (with the
 * pipeline's three pieces in flight: always) slowed the engine-bound Siqi from 0.88× to 0.79×.
 */
const MAX_WAITING_TO_RESAMPLE = 1;

const ready = import(espeakModuleUrl).then(async (m: { default: () => Promise<any> }) => {
  const module = await m.default();
  return { worker: new module.eSpeakNGWorker() as EspeakWorker, variants: module.FS.readdir('/usr/share/espeak-ng-data/voices/!v') as string[] };
});

async function synthesize({ id, voice, rate, text, sampleRate }: SynthesizeMessage) {
  const { worker } = await ready;
  if (worker.set_voice(voice) !== 0) {
    port.postMessage({ id, error: 'voice', voice });
    return;
  }
  // set_voice resets the rate, so the rate comes after it.
  worker.set_rate(rate);
  const chunks: Int16Array[] = [];
  const words: Array<{ position: number; length: number; ms: number }> = [];
  let total = 0;
  worker.synthesize(text, (audio, events) => {
    chunks.push(audio);
    total += audio.length;
    for (const e of events) if (e.type === 'word') words.push({ position: e.text_position, length: e.word_length, ms: e.audio_position });
    return false;
  });
  let samples: Float32Array = new Float32Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) samples[offset + i] = chunk[i]! / 32768;
    offset += chunk.length;
  }
  collectWaiting();
  const outputRate = sampleRate !== undefined && queue.length <= MAX_WAITING_TO_RESAMPLE ? sampleRate : ESPEAK_SAMPLE_RATE;
  samples = await resampleAll({ samples, from: ESPEAK_SAMPLE_RATE, to: outputRate });
  port.postMessage({ id, samples, sampleRate: outputRate, nativeLength: total, words }, [samples.buffer as ArrayBuffer]);
}

/** Moves the requests already posted to this thread into the queue, so it can see how many wait. */
function collectWaiting() {
  for (let next = receiveMessageOnPort(port); next; next = receiveMessageOnPort(port)) queue.push(next.message as ThreadMessage);
}

function handle(message: ThreadMessage): Promise<void> {
  return message.type === 'variants' ? ready.then(({ variants }) => port.postMessage({ id: message.id, variants })) : synthesize(message);
}

async function drain() {
  running = true;
  for (let message = queue.shift(); message; message = queue.shift()) {
    await handle(message).catch((error: unknown) => port.postMessage({ id: message!.id, error: 'crash', message: String((error instanceof Error && error.stack) || error) }));
  }
  running = false;
}

port.on('message', (message: ThreadMessage) => {
  queue.push(message);
  if (!running) void drain();
});
