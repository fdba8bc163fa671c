import { createRequire } from 'node:module';
import { errors } from '../shared/errors.js';
import type { EngineAudio, EngineRequest, EngineVoice, TtsEngine } from './engine.types.js';
import { inspectPack, packVoices, scanPacks, type VoicePack } from './sherpa-packs.js';

/** The slice of sherpa-onnx-node's OfflineTts the engine uses. */
interface OfflineTts {
  readonly numSpeakers: number;
  readonly sampleRate: number;
  generateAsync(request: {
    text: string;
    sid: number;
    speed: number;
    onProgress?: (info: { samples: Float32Array; progress: number }) => boolean;
  }): Promise<{ samples: Float32Array; sampleRate: number }>;
}

interface SherpaModule {
  OfflineTts: { createAsync(config: unknown): Promise<OfflineTts> };
}

export interface SherpaEngineOptions {
  /** Folder holding one sub-folder per installed voice pack. */
  voicesDir: string;
  /** ONNX runtime threads per loaded model. */
  numThreads?: number;
  /** ONNX execution provider: `cpu` (default), `cuda`, `coreml`. */
  provider?: string;
}

interface LoadedPack {
  pack: VoicePack;
  tts: OfflineTts;
  /** Calls on one model run one at a time; the tail of that queue. */
  queue: Promise<unknown>;
}

/**
 * Neural voices through sherpa-onnx (the only importer of sherpa-onnx-node). Packs load lazily on
 * first use, one instance per pack, and stay loaded until close().
 */
export function createSherpaEngine({ voicesDir, numThreads = 1, provider = 'cpu' }: SherpaEngineOptions): TtsEngine {
  // The native addon loads on first use, so a service without neural voices never pays for it.
  let sherpa: SherpaModule | undefined;
  const loaded = new Map<string, Promise<LoadedPack>>();

  const load = (model: string): Promise<LoadedPack> => {
    let entry = loaded.get(model);
    if (!entry) {
      entry = (async () => {
        const pack = await inspectPack({ voicesDir, name: model });
        sherpa ??= createRequire(import.meta.url)('sherpa-onnx-node') as SherpaModule;
        const config = {
          model: { ...pack.modelConfig, numThreads, provider, debug: false },
          ruleFsts: pack.ruleFsts,
          ruleFars: pack.ruleFars,
          // One sentence per model call keeps memory flat; the pipeline sends sentences anyway.
          maxNumSentences: 1,
        };
        try {
          const tts = await sherpa.OfflineTts.createAsync(config);
          return { pack, tts, queue: Promise.resolve() };
        } catch (cause) {
          throw errors.synthesisFailed(`voice pack "${model}" could not be loaded: ${(cause as Error).message ?? cause}`, cause);
        }
      })();
      loaded.set(model, entry);
      // A failed load is not cached: the user may fix the pack and try again.
      entry.catch(() => loaded.delete(model));
    }
    return entry;
  };

  return {
    id: 'sherpa',

    async listVoices(): Promise<EngineVoice[]> {
      const { packs } = await scanPacks(voicesDir);
      return packs.flatMap(packVoices);
    },

    async synthesize(request: EngineRequest): Promise<EngineAudio> {
      const { text, voice, speed, phonemes, signal } = request;
      if (voice.engine !== 'sherpa') throw errors.synthesisFailed(`the sherpa engine cannot speak an ${voice.engine} voice.`);
      if (phonemes) throw errors.synthesisFailed(`voice pack "${voice.model}" does not read ${phonemes} phonemes.`);
      signal?.throwIfAborted();
      const entry = await load(voice.model);
      const sid = Number(voice.speaker);
      if (!Number.isInteger(sid) || sid < 0 || sid >= Math.max(1, entry.tts.numSpeakers)) {
        // sherpa would silently fall back to speaker 0; a wrong speaker is a catalog bug worth seeing.
        throw errors.synthesisFailed(`voice pack "${voice.model}" has speakers 0..${Math.max(1, entry.tts.numSpeakers) - 1}, not ${voice.speaker}.`);
      }
      const run = entry.queue.then(async () => {
        signal?.throwIfAborted();
        try {
          return await entry.tts.generateAsync({ text, sid, speed, onProgress: () => !signal?.aborted });
        } catch (cause) {
          throw errors.synthesisFailed(`voice pack "${voice.model}" failed on this text: ${(cause as Error).message ?? cause}`, cause);
        }
      });
      entry.queue = run.catch(() => undefined);
      const audio = await run;
      signal?.throwIfAborted();
      return { samples: audio.samples, sampleRate: audio.sampleRate, words: [] };
    },

    supportsPhonemes(): boolean {
      return false;
    },

    async close(): Promise<void> {
      // The addon frees a model when its handle is garbage-collected; dropping them is all there is.
      await Promise.allSettled([...loaded.values()].map((p) => p.then((e) => e.queue)));
      loaded.clear();
    },
  };
}
