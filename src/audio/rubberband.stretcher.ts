/**
 * Pitch shifting and time stretching with Rubber Band (offline mode: the whole segment is studied
 * first, which gives the best quality; segments are short, ≤ ~60 s).
 */
import { concatSamples } from './samples.models.js';
import { discardRubberBand, loadRubberBand, type RubberBandModule } from './wasm.loaders.js';

// Option bits from rubberband-c.h.
const OPTION = {
  processOffline: 0x00000000,
  transientsCrisp: 0x00000000,
  transientsMixed: 0x00000100,
  detectorSoft: 0x00000800,
  phaseIndependent: 0x00002000,
  threadingNever: 0x00010000,
  windowShort: 0x00100000,
  smoothingOn: 0x00800000,
  formantPreserved: 0x01000000,
  pitchHighQuality: 0x02000000,
  pitchHighConsistency: 0x04000000,
  channelsTogether: 0x10000000,
  engineFiner: 0x20000000,
} as const;

/**
 * Speech settings: the R3 ("finer") engine, formants preserved so a shifted voice keeps its
 * vowel colour instead of sounding chipmunk/giant, the high-quality pitch path, and R3's single
 * short window, which keeps consonant onsets crisp and, measured on eSpeak speech, tracks the
 * target pitch as closely as the long window at about twice the speed. Transients stay at
 * Rubber Band's default "crisp". No threads in WASM.
 */
export const SPEECH_OPTIONS =
  OPTION.processOffline |
  OPTION.engineFiner |
  OPTION.formantPreserved |
  OPTION.pitchHighQuality |
  OPTION.windowShort |
  OPTION.transientsCrisp |
  OPTION.threadingNever;

/** Samples per native call; the heap buffers are sized from it. */
const BLOCK = 8192;

export interface StretchRequest {
  samples: Float32Array;
  sampleRate: number;
  /** Speed factor: 2 plays twice as fast (half the duration), 0.5 half as fast. Default 1. */
  tempo?: number;
  /** Frequency ratio: 2 is an octave up, 0.5 an octave down. Default 1. */
  pitchRatio?: number;
  /** Rubber Band option bits; SPEECH_OPTIONS unless you know better. */
  options?: number;
  /** Checked between blocks; an aborted signal stops the work and rejects with its reason. */
  signal?: AbortSignal;
}

/**
 * Changes tempo and/or pitch in one pass (one pass sounds better than two). Output length is
 * exactly round(samples.length / tempo). tempo = pitchRatio = 1 returns the input array itself.
 */
export async function stretchAndShift({ samples, sampleRate, tempo = 1, pitchRatio = 1, options = SPEECH_OPTIONS, signal }: StretchRequest): Promise<Float32Array> {
  if (!(tempo > 0 && Number.isFinite(tempo)) || !(pitchRatio > 0 && Number.isFinite(pitchRatio))) {
    throw new RangeError(`tempo and pitchRatio must be positive, got ${tempo} and ${pitchRatio}`);
  }
  if (tempo === 1 && pitchRatio === 1) return samples;
  const outLength = Math.round(samples.length / tempo);
  if (samples.length === 0) return new Float32Array(0);
  signal?.throwIfAborted();
  const m = await loadRubberBand();
  let out: Float32Array;
  try {
    out = await runOffline({ m, samples, sampleRate, timeRatio: 1 / tempo, pitchRatio, options, signal });
  } catch (error) {
    if (error instanceof WebAssembly.RuntimeError) discardRubberBand(m);
    throw error;
  }
  if (out.length === outLength) return out;
  // Rubber Band lands within a few samples of the target; make the length exact so the
  // pipeline's timing arithmetic (sentence offsets) never drifts.
  const exact = new Float32Array(outLength);
  exact.set(out.subarray(0, outLength));
  return exact;
}

/** Pitch shift that keeps the duration. Ratio 1 returns the input untouched (no copy, no cost). */
export function pitchShift({ samples, sampleRate, ratio, signal }: { samples: Float32Array; sampleRate: number; ratio: number; signal?: AbortSignal }): Promise<Float32Array> {
  return stretchAndShift({ samples, sampleRate, pitchRatio: ratio, signal });
}

/** Duration change without pitch change, for engines with no native speed control. */
export function timeStretch({ samples, sampleRate, tempo, signal }: { samples: Float32Array; sampleRate: number; tempo: number; signal?: AbortSignal }): Promise<Float32Array> {
  return stretchAndShift({ samples, sampleRate, tempo, signal });
}

/** A pitch shifter bound to one rate and ratio (one per job). */
export function createPitchShifter({ sampleRate, ratio }: { sampleRate: number; ratio: number }) {
  return {
    ratio,
    /** True when ratio is 1: shift() returns its input. */
    isBypass: ratio === 1,
    shift: (samples: Float32Array, signal?: AbortSignal) => pitchShift({ samples, sampleRate, ratio, signal }),
  };
}
export type PitchShifter = ReturnType<typeof createPitchShifter>;

/**
 * Blocks between yields to the event loop. Rubber Band runs at ~10–60× real time, so a 60 s
 * segment would otherwise hold the thread for seconds; yielding every ~0.5 s of work keeps HTTP
 * and heartbeats alive. Interleaving jobs is safe: each call owns its state and buffers.
 */
const BLOCKS_PER_YIELD = 4;
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function runOffline({ m, samples, sampleRate, timeRatio, pitchRatio, options, signal }: { m: RubberBandModule; samples: Float32Array; sampleRate: number; timeRatio: number; pitchRatio: number; options: number; signal?: AbortSignal }): Promise<Float32Array> {
  // Ratios go through the setters: some WASM builds misread the constructor's double arguments.
  const state = m._rubberband_new(sampleRate, 1, options, 1, 1);
  if (!state) throw new Error('rubberband_new failed');
  const bufPtr = m._malloc(BLOCK * 4);
  const planesPtr = m._malloc(4);
  const parts: Float32Array[] = [];
  try {
    m._rubberband_set_time_ratio(state, timeRatio);
    m._rubberband_set_pitch_scale(state, pitchRatio);
    m._rubberband_set_expected_input_duration(state, samples.length);
    m._rubberband_set_max_process_size(state, BLOCK);
    m.HEAPU32[planesPtr >> 2] = bufPtr;
    const feed = async (pass: 'study' | 'process') => {
      for (let offset = 0, block = 0; offset < samples.length; offset += BLOCK, block++) {
        if (block % BLOCKS_PER_YIELD === BLOCKS_PER_YIELD - 1) {
          await yieldToEventLoop();
          signal?.throwIfAborted();
        }
        const n = Math.min(BLOCK, samples.length - offset);
        const final = offset + n >= samples.length ? 1 : 0;
        m.HEAPF32.set(samples.subarray(offset, offset + n), bufPtr >> 2);
        if (pass === 'study') m._rubberband_study(state, planesPtr, n, final);
        else {
          m._rubberband_process(state, planesPtr, n, final);
          drain();
        }
      }
    };
    const drain = () => {
      for (;;) {
        const available = m._rubberband_available(state);
        if (available <= 0) return;
        const got = m._rubberband_retrieve(state, planesPtr, Math.min(available, BLOCK));
        if (got <= 0) return;
        parts.push(m.HEAPF32.slice(bufPtr >> 2, (bufPtr >> 2) + got));
      }
    };
    await feed('study');
    await feed('process');
    drain();
  } catch (error) {
    // After a trap the instance is discarded whole; freeing into its broken heap could trap again
    // and hide the first error.
    if (error instanceof WebAssembly.RuntimeError) throw error;
    release();
    throw error;
  }
  release();
  return concatSamples(parts);

  function release() {
    m._rubberband_delete(state);
    m._free(bufPtr);
    m._free(planesPtr);
  }
}
