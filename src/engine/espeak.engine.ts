import createEspeakModule, { type ESpeakNGWorker } from '@echogarden/espeak-ng-emscripten';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { errors } from '../shared/errors.js';
import type { EngineAudio, EngineRequest, EngineVoice, EngineWord, TtsEngine } from './engine.types.js';
import { mapWordPosition, prepareEspeakText, toEspeakPinyin } from './espeak-text.models.js';
import { ESPEAK_MODELS, ESPEAK_PINYIN_MODEL, ESPEAK_SAMPLE_RATE, ESPEAK_VARIANTS, espeakRate } from './espeak-voices.models.js';

/**
 * eSpeak NG 1.52 compiled to WebAssembly (bundled with the npm package, no download). The module is
 * single-threaded and synchronous, so calls are queued and each runs in one turn of the event loop:
 * callers keep requests to a sentence or so (the pipeline does) so no turn blocks for long.
 */
export async function createEspeakEngine(): Promise<TtsEngine> {
  const module = await createEspeakModule();
  let worker: ESpeakNGWorker | undefined = new module.eSpeakNGWorker();
  const installedVariants = new Set(module.FS.readdir('/usr/share/espeak-ng-data/voices/!v'));
  let queue: Promise<unknown> = Promise.resolve();

  const voices: EngineVoice[] = ESPEAK_MODELS.flatMap(({ model, languages }) =>
    ESPEAK_VARIANTS.map(({ variant, gender }) => ({ engine: 'espeak' as const, model, speaker: variant, languages: [...languages], gender, sampleRate: ESPEAK_SAMPLE_RATE })),
  );
  const espeakNames = new Map(ESPEAK_MODELS.map((m) => [m.model, m.espeakName]));
  const isMandarin = (voice: EngineVoice): boolean => voice.model === 'cmn' || voice.model === ESPEAK_PINYIN_MODEL;

  const speak = (w: ESpeakNGWorker, request: EngineRequest): EngineAudio => {
    const { voice, phonemes } = request;
    const variant = String(voice.speaker ?? '');
    if (variant !== '' && !installedVariants.has(variant)) throw errors.synthesisFailed(`eSpeak NG has no voice variant "${variant}".`);
    let model = espeakNames.get(voice.model);
    let input = request.text;
    if (phonemes === 'pinyin') {
      if (!isMandarin(voice)) throw errors.synthesisFailed(`eSpeak voice "${voice.model}" does not read pinyin; a Mandarin voice does.`);
      model = ESPEAK_PINYIN_MODEL;
      input = toEspeakPinyin(input);
    } else if (phonemes) {
      throw errors.synthesisFailed(`eSpeak NG does not read ${phonemes} phonemes.`);
    }
    if (!model) throw errors.synthesisFailed(`eSpeak NG voice "${voice.model}" is not offered.`);
    // set_voice accepts an unknown variant silently (hence the check above); it fails only on the voice.
    if (w.set_voice(variant ? `${model}+${variant}` : model) !== 0) throw errors.synthesisFailed(`eSpeak NG could not select voice "${model}".`);
    // set_voice resets the rate to the default, so the rate comes after it.
    w.set_rate(espeakRate(request.speed));

    const prepared = prepareEspeakText(input);
    const chunks: Int16Array[] = [];
    const events: Array<{ position: number; length: number; ms: number }> = [];
    let total = 0;
    w.synthesize(prepared.text, (audio, chunkEvents) => {
      chunks.push(audio);
      total += audio.length;
      for (const e of chunkEvents) if (e.type === 'word') events.push({ position: e.text_position, length: e.word_length, ms: e.audio_position });
      return false;
    });

    const samples = new Float32Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      for (let i = 0; i < chunk.length; i++) samples[offset + i] = chunk[i] / 32768;
      offset += chunk.length;
    }

    const words: EngineWord[] = [];
    // Word offsets refer to the caller's text; with phoneme input that text is not what was read.
    if (!phonemes) {
      for (const e of events) {
        const { textOffset, textLength } = mapWordPosition({ prepared, position: e.position, length: e.length });
        const startSample = Math.min(total, Math.round((e.ms * ESPEAK_SAMPLE_RATE) / 1000));
        const previous = words.at(-1);
        // eSpeak reports a number as several overlapping words; keep the first of each position.
        if (textLength === 0 || (previous && (textOffset <= previous.textOffset || startSample < previous.startSample))) continue;
        words.push({ textOffset, textLength, startSample });
      }
    }
    return { samples, sampleRate: ESPEAK_SAMPLE_RATE, words };
  };

  return {
    id: 'espeak',

    async listVoices(): Promise<EngineVoice[]> {
      return voices.map((v) => ({ ...v, languages: [...v.languages] }));
    },

    synthesize(request: EngineRequest): Promise<EngineAudio> {
      if (request.voice.engine !== 'espeak') return Promise.reject(errors.synthesisFailed(`the eSpeak engine cannot speak a ${request.voice.engine} voice.`));
      const run = queue.then(async () => {
        // Let other work (HTTP, timers, lease renewals) run between synthesis turns.
        await yieldToEventLoop();
        request.signal?.throwIfAborted();
        if (!worker) throw errors.synthesisFailed('the eSpeak engine is closed.');
        return speak(worker, request);
      });
      queue = run.catch(() => undefined);
      return run;
    },

    supportsPhonemes(voice: EngineVoice, alphabet: 'pinyin' | 'ipa'): boolean {
      // eSpeak's own phoneme input ([[...]]) uses its ASCII mnemonics, not IPA, so IPA is not offered.
      return voice.engine === 'espeak' && alphabet === 'pinyin' && isMandarin(voice);
    },

    async close(): Promise<void> {
      await queue;
      worker = undefined;
    },
  };
}
