/** Streaming sample-rate conversion with the speexdsp resampler (windowed-sinc, anti-aliased). */
import { concatSamples } from './samples.models.js';
import { loadSpeex, type SpeexModule } from './wasm.loaders.js';

export interface Resampler {
  readonly from: number;
  readonly to: number;
  /** Converts the next chunk; output length follows the rate ratio (the filter delay is removed). */
  process(chunk: Float32Array): Float32Array;
  /**
   * Drains the filter tail and frees the native state. The total output is then exactly
   * round(totalInput · to / from) samples, aligned with the input (no leading delay).
   */
  flush(): Float32Array;
  /** Frees the native state without draining (an abandoned job); idempotent. */
  close(): void;
}

/**
 * Speex quality 0…10; 5 is speexdsp's own "desktop" default. Measured on 22050 → 8000: a tone
 * just above the new Nyquist (4.2 kHz) comes out ~100 dB down, 6 kHz ~125 dB down, beyond what
 * 16-bit output can even represent, at ~1.5× the speed of quality 7 and ~4× that of 10.
 */
export const DEFAULT_RESAMPLER_QUALITY = 5;

/**
 * Safety net for resamplers dropped without flush()/close() (a job that threw mid-stream): their
 * native state is freed when the JS object is collected. Explicit close() is still the contract.
 */
const leaked = new FinalizationRegistry<() => void>((release) => release());

/** Input block per native call; the two heap buffers are sized from it, so memory is fixed. */
const BLOCK = 4096;

export async function createResampler({ from, to, quality = DEFAULT_RESAMPLER_QUALITY }: { from: number; to: number; quality?: number }): Promise<Resampler> {
  if (!(from > 0 && to > 0) || !Number.isInteger(from) || !Number.isInteger(to)) {
    throw new RangeError(`Sample rates must be positive integers, got ${from} → ${to}`);
  }
  if (from === to) return createPassThrough(from);
  return createSpeexResampler({ m: await loadSpeex(), from, to, quality: Math.max(0, Math.min(10, Math.round(quality))) });
}

/**
 * One whole block of audio (a piece of speech) converted at once: what the speech pipeline and
 * the eSpeak thread both do, so a piece sounds the same whichever of them resamples it.
 */
export async function resampleAll({ samples, from, to }: { samples: Float32Array; from: number; to: number }): Promise<Float32Array> {
  if (from === to) return samples;
  const resampler = await createResampler({ from, to });
  return concatSamples([resampler.process(samples), resampler.flush()]);
}

function createPassThrough(rate: number): Resampler {
  return { from: rate, to: rate, process: (chunk) => chunk, flush: () => new Float32Array(0), close: () => {} };
}

function createSpeexResampler({ m, from, to, quality }: { m: SpeexModule; from: number; to: number; quality: number }): Resampler {
  const outCapacity = Math.ceil((BLOCK * to) / from) + 64;
  const errPtr = m._malloc(4);
  const state = m._speex_resampler_init(1, from, to, quality, errPtr);
  const err = m.HEAP32[errPtr >> 2];
  m._free(errPtr);
  if (!state || err !== 0) throw new Error(`speex_resampler_init failed (${err}) for ${from} → ${to}`);
  // Drops the zeros the filter would emit before the first real sample, so output time 0 is input time 0.
  m._speex_resampler_skip_zeros(state);
  const inPtr = m._malloc(BLOCK * 4);
  const outPtr = m._malloc(outCapacity * 4);
  const lenPtrs = m._malloc(8);
  const release = releaser({ m, state, pointers: [inPtr, outPtr, lenPtrs] });
  let totalIn = 0;
  let totalOut = 0;

  const run = (input: Float32Array): Float32Array => {
    if (release.done) throw new Error('Resampler already flushed or closed');
    const parts: Float32Array[] = [];
    let offset = 0;
    while (offset < input.length) {
      const n = Math.min(BLOCK, input.length - offset);
      // Heap views are re-read on every call: any malloc in the shared module may grow (and detach) them.
      m.HEAPF32.set(input.subarray(offset, offset + n), inPtr >> 2);
      m.HEAPU32[lenPtrs >> 2] = n;
      m.HEAPU32[(lenPtrs >> 2) + 1] = outCapacity;
      m._speex_resampler_process_float(state, 0, inPtr, lenPtrs, outPtr, lenPtrs + 4);
      const consumed = m.HEAPU32[lenPtrs >> 2];
      const written = m.HEAPU32[(lenPtrs >> 2) + 1];
      if (written > 0) {
        parts.push(m.HEAPF32.slice(outPtr >> 2, (outPtr >> 2) + written));
      }
      if (consumed === 0 && written === 0) throw new Error('speex resampler made no progress');
      offset += consumed;
    }
    return parts.length === 1 ? parts[0] : concatSamples(parts);
  };

  const resampler: Resampler = {
    from,
    to,
    process(chunk) {
      totalIn += chunk.length;
      const out = run(chunk);
      totalOut += out.length;
      return out;
    },
    flush() {
      if (release.done) return new Float32Array(0);
      const expected = Math.round((totalIn * to) / from);
      const missing = expected - totalOut;
      let tail: Float32Array = new Float32Array(0);
      if (missing > 0) {
        // Push enough zeros through the filter to release the delayed samples of the real input.
        const latency = m._speex_resampler_get_input_latency(state);
        tail = run(new Float32Array(latency + Math.ceil(from / to) + 2));
      }
      resampler.close();
      const want = Math.max(0, missing);
      if (tail.length >= want) return tail.subarray(0, want);
      const padded = new Float32Array(want);
      padded.set(tail);
      return padded;
    },
    close() {
      leaked.unregister(resampler);
      release();
    },
  };
  leaked.register(resampler, release, resampler);
  return resampler;
}

/**
 * The native-state destructor, built in its own scope: V8 closures share their creator's context,
 * so a destructor created next to the resampler's methods would keep the resampler reachable and
 * the FinalizationRegistry would never fire.
 */
function releaser({ m, state, pointers }: { m: SpeexModule; state: number; pointers: number[] }): (() => void) & { done: boolean } {
  const release = Object.assign(
    () => {
      if (release.done) return;
      release.done = true;
      m._speex_resampler_destroy(state);
      for (const p of pointers) m._free(p);
    },
    { done: false },
  );
  return release;
}
