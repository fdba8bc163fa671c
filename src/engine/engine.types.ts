/**
 * The engine port. eSpeak NG (WebAssembly, bundled) and sherpa-onnx (neural packs in the voices
 * directory) both implement it; the voice catalog decides which one speaks a given voice name.
 */

export type Language = 'zh' | 'en';
export type Gender = 'female' | 'male' | 'child';

/** A concrete voice an engine can speak: engine + model + speaker. */
export interface EngineVoice {
  engine: 'espeak' | 'sherpa';
  /** eSpeak: the voice name (`cmn`, `en-us`); sherpa: the installed pack name (`vits-piper-en_US-amy-low`). */
  model: string;
  /** eSpeak: a variant name (`f2`, `m3`) or ''; sherpa: the speaker id. */
  speaker: string | number;
  languages: Language[];
  gender: Gender;
  /** The engine's native output rate. */
  sampleRate: number;
  /** sherpa: the speaker's name where the model names its speakers (Kokoro `af_heart`). */
  speakerName?: string;
}

export interface EngineWord {
  /** Offset and length of the word in the request text (UTF-16 units). */
  textOffset: number;
  textLength: number;
  /** Start of the word in the returned samples. */
  startSample: number;
}

export interface EngineAudio {
  samples: Float32Array;
  sampleRate: number;
  /** Word boundaries where the engine reports them (eSpeak does; most neural models do not). */
  words: EngineWord[];
}

export interface EngineRequest {
  /** Plain text to read (already normalised: numbers as words). */
  text: string;
  voice: EngineVoice;
  /** Speaking-rate multiplier: 1 normal, 2 twice as fast (half the duration). */
  speed: number;
  /** Text is phonemes in this alphabet instead of words (SSML <phoneme>). Engines that cannot, throw. */
  phonemes?: 'pinyin' | 'ipa';
  /**
   * The rate the caller will resample to. An engine may deliver it when it has time to spare
   * (eSpeak: its thread, when at most one other request waits for it), taking that work off the
   * caller's thread; others ignore it. Callers check the rate that comes back.
   */
  sampleRate?: number;
  signal?: AbortSignal;
}

export interface TtsEngine {
  readonly id: EngineVoice['engine'];
  /** The voices this engine can speak right now (for eSpeak: fixed; for sherpa: what is installed). */
  listVoices(): Promise<EngineVoice[]>;
  synthesize(request: EngineRequest): Promise<EngineAudio>;
  /** Whether synthesize accepts `phonemes` in that alphabet for that voice. */
  supportsPhonemes(voice: EngineVoice, alphabet: 'pinyin' | 'ipa'): boolean;
  close(): Promise<void>;
}
