import { errors } from '../shared/errors.js';
import type { EngineAudio, EngineRequest, EngineVoice, EngineWord, TtsEngine } from './engine.types.js';
import { mapWordPosition, prepareEspeakText, toEspeakPinyin } from './espeak-text.models.js';
import { ESPEAK_MODELS, ESPEAK_PINYIN_MODEL, ESPEAK_SAMPLE_RATE, ESPEAK_VARIANTS, espeakRate } from './espeak-voices.models.js';
import { startEspeakThread, type EspeakThread } from './espeak.thread.js';

/**
 * eSpeak NG 1.52 compiled to WebAssembly (bundled with the npm package, no download), running in
 * worker threads (espeak.thread.ts) so synthesis never blocks the event loop. Each request goes to
 * the least busy thread; every request sets its own voice and rate, so any thread can serve it.
 * Callers may queue the next sentences while they encode the previous one.
 */
export async function createEspeakEngine({ threads: threadCount = 1 }: { threads?: number } = {}): Promise<TtsEngine> {
  let threads: EspeakThread[] | undefined = Array.from({ length: Math.max(1, Math.floor(threadCount)) }, () => startEspeakThread());
  const installedVariants = new Set(await threads[0]!.variants());
  const leastBusy = (pool: EspeakThread[]): EspeakThread => pool.reduce((best, thread) => (thread.pending() < best.pending() ? thread : best));

  const voices: EngineVoice[] = ESPEAK_MODELS.flatMap(({ model, languages }) =>
    ESPEAK_VARIANTS.map(({ variant, gender }) => ({ engine: 'espeak' as const, model, speaker: variant, languages: [...languages], gender, sampleRate: ESPEAK_SAMPLE_RATE })),
  );
  const espeakNames = new Map(ESPEAK_MODELS.map((m) => [m.model, m.espeakName]));
  const isMandarin = (voice: EngineVoice): boolean => voice.model === 'cmn' || voice.model === ESPEAK_PINYIN_MODEL;

  const speak = async (request: EngineRequest): Promise<EngineAudio> => {
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
    if (!threads) throw errors.synthesisFailed('the eSpeak engine is closed.');
    request.signal?.throwIfAborted();

    const prepared = prepareEspeakText(input);
    let result;
    try {
      // set_voice accepts an unknown variant silently (hence the check above); it fails only on the voice.
      result = await leastBusy(threads).synthesize({
        voice: variant ? `${model}+${variant}` : model,
        rate: espeakRate(request.speed),
        text: prepared.text,
        sampleRate: request.sampleRate,
      });
    } catch (error) {
      throw errors.synthesisFailed(error instanceof Error ? error.message : String(error), error);
    }
    const { samples, sampleRate, nativeLength } = result;
    // A word's sample at eSpeak's rate first, then scaled exactly as a caller resampling itself would.
    const scale = sampleRate / ESPEAK_SAMPLE_RATE;
    const words: EngineWord[] = [];
    // Word offsets refer to the caller's text; with phoneme input that text is not what was read.
    if (!phonemes) {
      for (const e of result.words) {
        const { textOffset, textLength } = mapWordPosition({ prepared, position: e.position, length: e.length });
        const nativeSample = Math.min(nativeLength, Math.round((e.ms * ESPEAK_SAMPLE_RATE) / 1000));
        const startSample = Math.round(nativeSample * scale);
        const previous = words.at(-1);
        // eSpeak reports a number as several overlapping words; keep the first of each position.
        if (textLength === 0 || (previous && (textOffset <= previous.textOffset || startSample < previous.startSample))) continue;
        words.push({ textOffset, textLength, startSample });
      }
    }
    return { samples, sampleRate, words };
  };

  return {
    id: 'espeak',

    async listVoices(): Promise<EngineVoice[]> {
      return voices.map((v) => ({ ...v, languages: [...v.languages] }));
    },

    async synthesize(request: EngineRequest): Promise<EngineAudio> {
      if (request.voice.engine !== 'espeak') throw errors.synthesisFailed(`the eSpeak engine cannot speak a ${request.voice.engine} voice.`);
      return speak(request);
    },

    supportsPhonemes(voice: EngineVoice, alphabet: 'pinyin' | 'ipa'): boolean {
      // eSpeak's own phoneme input ([[...]]) uses its ASCII mnemonics, not IPA, so IPA is not offered.
      return voice.engine === 'espeak' && alphabet === 'pinyin' && isMandarin(voice);
    },

    async close(): Promise<void> {
      const closing = threads ?? [];
      threads = undefined;
      await Promise.all(closing.map((thread) => thread.close()));
    },
  };
}
