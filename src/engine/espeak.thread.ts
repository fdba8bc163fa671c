/**
 * eSpeak NG's WebAssembly module in a worker thread (body: espeak.thread-body.ts). The module is
 * synchronous (50–100 ms per sentence); on the main thread that would stall HTTP requests, lease
 * renewals and the encoder. In its own thread it runs beside them, so a job's encoding overlaps
 * the next sentence's synthesis.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../shared/module-worker.js';

export interface ThreadSynthesis {
  samples: Float32Array;
  sampleRate: number;
  /** Samples eSpeak produced at its own rate (before any resampling). */
  nativeLength: number;
  /** Word events: 1-based code-point position and length in the text, milliseconds from the start. */
  words: Array<{ position: number; length: number; ms: number }>;
}

/**
 * One eSpeak instance in one thread; requests are answered in order. If the thread dies (a crash in
 * the WASM module), the requests in flight fail and the next request starts a fresh thread, so one
 * bad sentence never takes the engine down for good.
 */
export function startEspeakThread() {
  const espeakModuleUrl = pathToFileURL(createRequire(import.meta.url).resolve('@echogarden/espeak-ng-emscripten')).href;
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  let closed = false;

  function spawn(): Worker {
    const worker = startModuleWorker({ from: import.meta.url, body: './espeak.thread-body', data: { espeakModuleUrl } });
    // An idle engine must not keep the process alive.
    worker.unref();
    worker.on('message', (message: { id: number; error?: string; voice?: string; message?: string }) => {
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.error === 'voice') waiter.reject(Object.assign(new Error(`eSpeak NG could not select voice "${message.voice}".`), { code: 'voice' }));
      else if (message.error) waiter.reject(new Error(`eSpeak NG failed: ${message.message}`));
      else waiter.resolve(message);
    });
    const fail = (error: Error) => {
      if (thread === worker) thread = null;
      for (const waiter of pending.values()) waiter.reject(error);
      pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!closed) fail(new Error(`the eSpeak NG thread exited (code ${code})`));
    });
    return worker;
  }

  let thread: Worker | null = spawn();

  function call<T>(message: Record<string, unknown>): Promise<T> {
    if (closed) return Promise.reject(new Error('the eSpeak NG thread is closed'));
    const worker = (thread ??= spawn());
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      // Keep the process alive only while a request is outstanding.
      worker.ref();
      worker.postMessage({ ...message, id });
    }).finally(() => {
      if (pending.size === 0) worker.unref();
    });
  }

  return {
    /** Requests sent and not yet answered (for picking the least busy thread). */
    pending: () => pending.size,
    variants: () => call<{ variants: string[] }>({ type: 'variants' }).then((reply) => reply.variants),
    /** `sampleRate`: resample to it in the thread (eSpeak's own rate when absent). */
    synthesize: (args: { voice: string; rate: number; text: string; sampleRate?: number }) => call<ThreadSynthesis>({ type: 'synthesize', ...args }),
    /** Test hook for the recovery path: ends the thread as a crash would. */
    crashForTest: () => thread?.terminate(),
    close: async () => {
      closed = true;
      await thread?.terminate();
      thread = null;
    },
  };
}

export type EspeakThread = ReturnType<typeof startEspeakThread>;
