/**
 * A TtsEngine decorator that adds up the time spent in synthesize(), so a benchmark can split
 * the pipeline's wall time into engine time and everything else. It wraps the engine at the
 * port (the pipeline's own dependency), so nothing inside the pipeline is altered.
 */
import type { TtsEngine } from '../../src/engine/engine.types.js';

export interface TimedEngine extends TtsEngine {
  /** Milliseconds spent inside synthesize() since the last reset. */
  readonly elapsedMs: number;
  /** Samples the engine returned since the last reset (at its native rate). */
  readonly samples: number;
  reset(): void;
}

export function timeEngine(engine: TtsEngine): TimedEngine {
  let elapsedMs = 0;
  let samples = 0;
  return {
    id: engine.id,
    get elapsedMs() {
      return elapsedMs;
    },
    get samples() {
      return samples;
    },
    reset() {
      elapsedMs = 0;
      samples = 0;
    },
    listVoices: () => engine.listVoices(),
    supportsPhonemes: (voice, alphabet) => engine.supportsPhonemes(voice, alphabet),
    close: () => engine.close(),
    async synthesize(request) {
      const start = performance.now();
      try {
        const audio = await engine.synthesize(request);
        samples += audio.samples.length;
        return audio;
      } finally {
        elapsedMs += performance.now() - start;
      }
    },
  };
}
