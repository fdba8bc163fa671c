/**
 * Test signals: real speech from eSpeak NG (bundled WASM, deterministic) and synthetic tones.
 * Speech is cached per text within a test process, since the engine takes ~150 ms to load.
 */

export interface TestSignal {
  samples: Float32Array;
  sampleRate: number;
}

// eSpeak ships no type declarations; see src/audio/wasm.loaders.ts for why the specifier is a string.
const ESPEAK_PACKAGE: string = '@echogarden/espeak-ng-emscripten';

interface ESpeakWorker {
  set_voice(name: string): void;
  synthesize(text: string, onChunk: (chunk: Int16Array | ArrayBuffer, events: unknown) => boolean): void;
}

let espeak: Promise<ESpeakWorker> | undefined;
const speechCache = new Map<string, TestSignal>();

export const DEFAULT_SPEECH_TEXT = 'The quick brown fox jumps over the lazy dog. Then it rests for a moment, and runs home again.';

/** English speech from eSpeak NG (en-us), 22050 Hz mono float. */
export async function speechSample(text = DEFAULT_SPEECH_TEXT): Promise<TestSignal> {
  const cached = speechCache.get(text);
  if (cached) return cached;
  espeak ??= (async () => {
    const factory = ((await import(ESPEAK_PACKAGE)) as { default: () => Promise<{ eSpeakNGWorker: new () => ESpeakWorker }> }).default;
    const module = await factory();
    const worker = new module.eSpeakNGWorker();
    worker.set_voice('en-us');
    return worker;
  })();
  const worker = await espeak;
  const chunks: Int16Array[] = [];
  worker.synthesize(text, (chunk) => {
    // Copy: the chunk is a view into the engine's heap.
    chunks.push(chunk instanceof Int16Array ? chunk.slice() : new Int16Array(chunk.slice(0)));
    return false;
  });
  const length = chunks.reduce((sum, c) => sum + c.length, 0);
  const samples = new Float32Array(length);
  let offset = 0;
  for (const c of chunks) {
    for (let i = 0; i < c.length; i++) samples[offset + i] = c[i] / 32768;
    offset += c.length;
  }
  const signal = { samples, sampleRate: 22050 };
  speechCache.set(text, signal);
  return signal;
}

/**
 * A voice-like harmonic tone: fundamental `f0` with `harmonics` partials falling off as 1/k,
 * a gentle vibrato (±`vibratoCents`, 5 Hz), peak-normalised to `peak`.
 */
export function harmonicTone({
  f0 = 150,
  sampleRate,
  seconds,
  harmonics = 8,
  vibratoCents = 20,
  peak = 0.5,
}: {
  f0?: number;
  sampleRate: number;
  seconds: number;
  harmonics?: number;
  vibratoCents?: number;
  peak?: number;
}): Float32Array {
  const n = Math.round(sampleRate * seconds);
  const out = new Float32Array(n);
  let phase = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    const f = f0 * 2 ** ((vibratoCents / 1200) * Math.sin(2 * Math.PI * 5 * t));
    phase += (2 * Math.PI * f) / sampleRate;
    let s = 0;
    for (let k = 1; k <= harmonics && k * f < sampleRate / 2; k++) s += Math.sin(k * phase) / k;
    out[i] = s;
    max = Math.max(max, Math.abs(s));
  }
  for (let i = 0; i < n; i++) out[i] = (out[i] / max) * peak;
  return out;
}

/** A pure sine. */
export function sine({ hz, sampleRate, seconds, amplitude = 0.5 }: { hz: number; sampleRate: number; seconds: number; amplitude?: number }): Float32Array {
  const n = Math.round(sampleRate * seconds);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = amplitude * Math.sin((2 * Math.PI * hz * i) / sampleRate);
  return out;
}
