/**
 * Lazy, memoised loading of the three WASM codecs. The compiled modules are immutable and
 * stateless, so caching them per process is safe (unlike a service singleton) and saves the
 * compile on every job. The emscripten instances (speex, Rubber Band) are shared too: every call
 * into them is synchronous and allocates its own state, so jobs never interleave inside them.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';

/** The emscripten heap views and allocator every module exposes. */
export interface EmscriptenHeap {
  HEAPF32: Float32Array;
  HEAPU32: Uint32Array;
  HEAP32: Int32Array;
  _malloc(bytes: number): number;
  _free(ptr: number): void;
}

/** speexdsp resampler C API (speex_resampler.h); pointers are heap offsets. */
export interface SpeexModule extends EmscriptenHeap {
  _speex_resampler_init(channels: number, inRate: number, outRate: number, quality: number, errPtr: number): number;
  _speex_resampler_destroy(state: number): void;
  _speex_resampler_process_float(state: number, channel: number, inPtr: number, inLenPtr: number, outPtr: number, outLenPtr: number): number;
  _speex_resampler_skip_zeros(state: number): number;
  _speex_resampler_get_input_latency(state: number): number;
  _speex_resampler_get_output_latency(state: number): number;
}

/** Rubber Band C API (rubberband-c.h). */
export interface RubberBandModule extends EmscriptenHeap {
  _rubberband_new(sampleRate: number, channels: number, options: number, timeRatio: number, pitchScale: number): number;
  _rubberband_delete(state: number): void;
  _rubberband_set_time_ratio(state: number, ratio: number): void;
  _rubberband_set_pitch_scale(state: number, scale: number): void;
  _rubberband_set_expected_input_duration(state: number, samples: number): void;
  _rubberband_set_max_process_size(state: number, samples: number): void;
  _rubberband_get_engine_version(state: number): number;
  _rubberband_study(state: number, inputPtrs: number, samples: number, final: number): void;
  _rubberband_process(state: number, inputPtrs: number, samples: number, final: number): void;
  _rubberband_available(state: number): number;
  _rubberband_retrieve(state: number, outputPtrs: number, samples: number): number;
}

// The echogarden packages ship no type declarations. Importing through a `string`-typed specifier
// keeps TypeScript from asking for one (an ambient `declare module` could clash with another
// module's), and the interfaces above state the exact surface we use.
const SPEEX_PACKAGE: string = '@echogarden/speex-resampler-wasm/simd';
const SPEEX_PACKAGE_NO_SIMD: string = '@echogarden/speex-resampler-wasm';
const RUBBERBAND_PACKAGE: string = '@echogarden/rubberband-wasm';

type EmscriptenFactory<T> = (options?: object) => Promise<T>;

async function importFactory<T>(specifier: string): Promise<EmscriptenFactory<T>> {
  const mod = (await import(specifier)) as { default: EmscriptenFactory<T> };
  return mod.default;
}

let lame: Promise<WebAssembly.Module> | undefined;
let speex: Promise<SpeexModule> | undefined;
let rubberband: Promise<RubberBandModule> | undefined;

/** LAME, compiled once; wasm-media-encoders instantiates it per encoder (one stream per instance). */
export function loadLameModule(): Promise<WebAssembly.Module> {
  lame ??= (async () => {
    const path = createRequire(import.meta.url).resolve('wasm-media-encoders/wasm/mp3');
    return WebAssembly.compile(await readFile(path));
  })();
  lame.catch(() => (lame = undefined));
  return lame;
}

export function loadSpeex(): Promise<SpeexModule> {
  // The SIMD build is ~1.5–2× faster; every Node ≥ 16.4 has WASM SIMD, the fallback is for odd hosts.
  speex ??= importFactory<SpeexModule>(SPEEX_PACKAGE)
    .then((factory) => factory())
    .catch(() => importFactory<SpeexModule>(SPEEX_PACKAGE_NO_SIMD).then((factory) => factory()));
  speex.catch(() => (speex = undefined));
  return speex;
}

export function loadRubberBand(): Promise<RubberBandModule> {
  rubberband ??= importFactory<RubberBandModule>(RUBBERBAND_PACKAGE).then((factory) => factory());
  rubberband.catch(() => (rubberband = undefined));
  return rubberband;
}

/**
 * Drops a Rubber Band instance that trapped (a WebAssembly.RuntimeError mid-call leaves its heap
 * and allocator in an unknown state, and every later call on it failed): the next loadRubberBand()
 * instantiates a fresh one. Calls already running on the old instance finish or fail on their own.
 */
export function discardRubberBand(broken: RubberBandModule): void {
  void rubberband?.then((current) => {
    if (current === broken) rubberband = undefined;
  });
}
