import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { errors } from '../shared/errors.js';
import type { EngineVoice, Gender, Language } from './engine.types.js';
import { readOnnxMetadata } from './onnx-metadata.js';

/**
 * Voice packs as sherpa-onnx's tts-models releases publish them, one folder each in the voices
 * directory. This module recognises a pack's family from its files and ONNX metadata, checks it is
 * complete (sherpa-onnx ends the whole process on some missing inputs, so nothing incomplete may
 * reach it), and builds the OfflineTtsConfig `model` section for it.
 */

export type PackFamily = 'vits' | 'kokoro' | 'kitten' | 'matcha';

export interface VoicePack {
  /** Folder name in the voices directory; EngineVoice.model. */
  name: string;
  dir: string;
  family: PackFamily;
  sampleRate: number;
  numSpeakers: number;
  /** Speaker names where the model has them (Kokoro), by speaker id. */
  speakerNames: string[];
  languages: Language[];
  /** `model` section of sherpa-onnx's OfflineTtsConfig, with absolute paths. */
  modelConfig: Record<string, Record<string, string>>;
  /** Text-normalisation rules (`ruleFsts`, `ruleFars`) where the pack ships them. */
  ruleFsts: string;
  ruleFars: string;
}

const VOCODER_NAME = /^(vocos|hifigan)[-_].*\.onnx$|^hifigan.*\.onnx$/i;

/** Genders of the speakers of known single-speaker packs (metadata carries none). */
const KNOWN_GENDERS: Array<[RegExp, Gender]> = [
  [/female|amy|lessac|kristin|kathleen|ljspeech|jenny|alba|cori|southern_english_female|huayan|baker|melo-tts|kusal_female/i, 'female'],
  [/male|ryan|joe|john|norman|bryce|danny|kusal|alan|northern_english_male/i, 'male'],
];

function requireKeys({ pack, file, metadata, keys }: { pack: string; file: string; metadata: Record<string, string>; keys: string[] }): void {
  const missing = keys.filter((k) => metadata[k] === undefined);
  if (missing.length > 0) {
    throw errors.synthesisFailed(`voice pack "${pack}": ${file} lacks the ONNX metadata ${missing.join(', ')}; it is not a sherpa-onnx TTS model.`);
  }
}

function languagesOf({ name, metadata }: { name: string; metadata: Record<string, string> }): Language[] {
  const text = `${name} ${metadata.language ?? ''} ${metadata.voice ?? ''}`.toLowerCase();
  // Whole words only: "thorsten" in vits-piper-de_DE-thorsten-medium is not English.
  const words = new Set(text.split(/[^a-z0-9]+/).filter(Boolean));
  const multi = /multi-lang/.test(text);
  const langs: Language[] = [];
  if (multi || ['zh', 'cmn', 'chinese', 'mandarin', 'baker', 'aishell', 'aishell3'].some((w) => words.has(w))) langs.push('zh');
  if (multi || ['en', 'english', 'ljspeech', 'libritts', 'vctk'].some((w) => words.has(w))) langs.push('en');
  // Packs in other languages (de_DE-thorsten) have no voice here: the service speaks zh and en.
  return langs;
}

/** Kokoro speaker names: a language letter, f or m, then `_name` (`af_heart`) or nothing (v0.19's `af`). */
const KOKORO_SPEAKER = /^([a-z])([fm])(?:_|$)/;

/** Gender of one speaker: Kokoro names say it (af_ female, am_ male), else the pack table. */
export function speakerGender({ packName, speakerName }: { packName: string; speakerName?: string }): Gender {
  const m = KOKORO_SPEAKER.exec(speakerName ?? '');
  if (m) return m[2] === 'f' ? 'female' : 'male';
  for (const [pattern, gender] of KNOWN_GENDERS) if (pattern.test(packName)) return gender;
  return 'female';
}

/** Kokoro speaker languages by name prefix: a (American) and b (British) English, z Mandarin. */
function kokoroSpeakerLanguages(speakerName: string | undefined, packLanguages: Language[]): Language[] {
  if (!speakerName) return packLanguages;
  const letter = KOKORO_SPEAKER.exec(speakerName)?.[1];
  if (letter === 'a' || letter === 'b') return ['en'];
  if (letter === 'z') return ['zh'];
  return [];
}

/** The voices a pack offers, one per speaker that speaks a language the service serves. */
export function packVoices(pack: VoicePack): EngineVoice[] {
  const voices: EngineVoice[] = [];
  for (let sid = 0; sid < Math.max(1, pack.numSpeakers); sid++) {
    const speakerName = pack.speakerNames[sid];
    const languages = pack.family === 'kokoro' || pack.family === 'kitten' ? kokoroSpeakerLanguages(speakerName, pack.languages) : pack.languages;
    if (languages.length === 0) continue;
    voices.push({
      engine: 'sherpa',
      model: pack.name,
      speaker: sid,
      languages,
      gender: speakerGender({ packName: pack.name, speakerName }),
      sampleRate: pack.sampleRate,
      ...(speakerName ? { speakerName } : {}),
    });
  }
  return voices;
}

/** Inspects one pack folder. Throws AppError SynthesisFailed naming the pack and what is missing. */
export async function inspectPack({ voicesDir, name }: { voicesDir: string; name: string }): Promise<VoicePack> {
  const dir = join(voicesDir, name);
  const entries = await readdir(dir).catch((cause: unknown) => {
    throw errors.synthesisFailed(`voice pack "${name}" is not installed in ${voicesDir}.`, cause);
  });
  const has = (file: string): boolean => entries.includes(file);
  const path = (file: string): string => join(dir, file);
  const onnx = entries.filter((f) => f.endsWith('.onnx'));
  const fsts = entries.filter((f) => f.endsWith('.fst')).sort((a, b) => ruleOrder(a) - ruleOrder(b) || a.localeCompare(b)).map(path).join(',');
  const fars = entries.filter((f) => f.endsWith('.far')).sort().map(path).join(',');

  const requireFile = (file: string, why: string): string => {
    if (!has(file)) throw errors.synthesisFailed(`voice pack "${name}" is incomplete: ${file} (${why}) is missing in ${dir}.`);
    return path(file);
  };

  const models = onnx.filter((f) => !VOCODER_NAME.test(f));
  if (models.length === 0) throw errors.synthesisFailed(`voice pack "${name}" is incomplete: no .onnx model file in ${dir}.`);
  // Packs ship fp32 and int8 variants side by side; prefer the full-precision one.
  const modelFile = models.find((f) => f === 'model.onnx') ?? models.find((f) => !/int8|fp16/.test(f)) ?? models[0];
  const metadata = await readOnnxMetadata(path(modelFile)).catch((cause: unknown) => {
    throw errors.synthesisFailed(`voice pack "${name}": ${modelFile} is not a readable ONNX model.`, cause);
  });
  const tokens = requireFile('tokens.txt', 'the token table');
  const dataDir = has('espeak-ng-data') ? path('espeak-ng-data') : '';
  if (dataDir) {
    // sherpa-onnx refuses a data dir without these with only "Please check your config!".
    const espeakEntries = await readdir(dataDir).catch(() => [] as string[]);
    const missing = ['phontab', 'phonindex', 'phondata', 'intonations'].filter((f) => !espeakEntries.includes(f));
    if (missing.length > 0) throw errors.synthesisFailed(`voice pack "${name}" is incomplete: espeak-ng-data lacks ${missing.join(', ')} in ${dir}.`);
  }
  const lexicons = entries.filter((f) => /^lexicon.*\.txt$/.test(f)).sort((a, b) => lexiconOrder(a) - lexiconOrder(b) || a.localeCompare(b));
  const lexicon = lexicons.map(path).join(',');
  const modelType = metadata.model_type ?? '';

  const base = { name, dir, ruleFsts: fsts, ruleFars: fars, languages: languagesOf({ name, metadata }) };

  if (has('voices.bin') || modelType === 'kokoro' || modelType === 'kitten') {
    const family: PackFamily = modelType === 'kitten' || /kitten/i.test(name) ? 'kitten' : 'kokoro';
    const voicesFile = requireFile('voices.bin', 'the speaker style vectors');
    requireKeys({ pack: name, file: modelFile, metadata, keys: ['sample_rate', 'n_speakers', 'has_espeak', 'style_dim'].filter((k) => family === 'kokoro' || k !== 'style_dim') });
    // sherpa-onnx's Kokoro and Kitten configs refuse an empty data dir whatever has_espeak says.
    if (!dataDir) requireFile('espeak-ng-data', 'eSpeak NG data for the phonemizer');
    const speakerNames = (metadata.speaker_names ?? '').split(',').filter(Boolean);
    if (family === 'kokoro') {
      const dims = metadata.style_dim.split(',').map(Number);
      // sherpa-onnx ends the process on a style_dim that is not [max tokens, 1, width].
      if (dims.length !== 3 || dims[1] !== 1 || !dims.every((d) => Number.isInteger(d) && d > 0)) {
        throw errors.synthesisFailed(`voice pack "${name}": ${modelFile} has style_dim ${metadata.style_dim}, not [tokens, 1, width]; it is not a Kokoro model sherpa-onnx can load.`);
      }
      const expected = dims[0] * dims[2] * Number(metadata.n_speakers) * 4;
      const actual = (await stat(voicesFile)).size;
      if (actual !== expected) {
        throw errors.synthesisFailed(`voice pack "${name}": voices.bin has ${actual} bytes, the model expects ${expected}; the pack is corrupt.`);
      }
    }
    const section: Record<string, string> = { model: path(modelFile), voices: voicesFile, tokens, dataDir };
    // Kokoro >= 1.0 (metadata version 2) reads text through its lexicons; without one sherpa-onnx
    // ends the process. Packs ship lexicon-us-en.txt, lexicon-gb-en.txt and lexicon-zh.txt; sherpa
    // keeps the first pronunciation of a word and logs every later one, so pass one English lexicon
    // (American, as sherpa-onnx's examples do) and the Chinese one.
    const kokoroLexicons = family === 'kokoro' ? kokoroLexiconFiles(lexicons) : [];
    if (family === 'kokoro' && Number(metadata.version ?? '1') >= 2 && kokoroLexicons.length === 0) {
      throw errors.synthesisFailed(`voice pack "${name}" is incomplete: a multi-language Kokoro model needs its lexicon files (lexicon-us-en.txt, lexicon-zh.txt); none is in ${dir}.`);
    }
    if (kokoroLexicons.length > 0) section.lexicon = kokoroLexicons.map(path).join(',');
    return {
      ...base,
      languages: kokoroLexicons.some((l) => /zh/.test(l)) ? ['zh', 'en'] : base.languages,
      family,
      sampleRate: Number(metadata.sample_rate),
      numSpeakers: Number(metadata.n_speakers),
      speakerNames,
      modelConfig: { [family]: section },
    };
  }

  if (/matcha/i.test(name) || /matcha/i.test(modelType) || /^model-steps/.test(modelFile)) {
    requireKeys({ pack: name, file: modelFile, metadata, keys: ['sample_rate', 'n_speakers', 'pad_id'] });
    // Published matcha packs leave the vocoder out: it may sit in the pack or next to the packs.
    const rootEntries = await readdir(voicesDir);
    const vocoderInPack = onnx.find((f) => VOCODER_NAME.test(f));
    const vocoderInRoot = rootEntries.find((f) => VOCODER_NAME.test(f));
    const vocoder = vocoderInPack ? path(vocoderInPack) : vocoderInRoot ? join(voicesDir, vocoderInRoot) : '';
    if (!vocoder) {
      throw errors.synthesisFailed(
        `voice pack "${name}" needs a vocoder (vocos-22khz-univ.onnx or hifigan_v2.onnx) in ${dir} or ${voicesDir}; none was found.`,
      );
    }
    // sherpa-onnx picks the vocoder kind from its metadata and crashes on anything else.
    const vocoderType = (await readOnnxMetadata(vocoder).catch(() => ({}) as Record<string, string>)).model_type;
    if (vocoderType !== 'hifigan' && vocoderType !== 'vocos') {
      throw errors.synthesisFailed(`voice pack "${name}": the vocoder ${vocoder} is not a sherpa-onnx vocoder (its metadata model_type must be hifigan or vocos).`);
    }
    if (!lexicon && !dataDir) requireFile('lexicon.txt', 'the pronunciation lexicon');
    return {
      ...base,
      family: 'matcha',
      sampleRate: Number(metadata.sample_rate),
      numSpeakers: Number(metadata.n_speakers),
      speakerNames: [],
      modelConfig: { matcha: { acousticModel: path(modelFile), vocoder, lexicon, tokens, dataDir } },
    };
  }

  requireKeys({ pack: name, file: modelFile, metadata, keys: ['sample_rate', 'n_speakers', 'comment', 'language'] });
  const section: Record<string, string> = { model: path(modelFile), tokens, dataDir, lexicon };
  if (metadata.jieba === '1') {
    // sherpa-onnx refuses a jieba model without its dictionary, and a dictionary for any other model.
    if (!has('dict')) requireFile('dict', 'the jieba dictionary folder');
    section.dictDir = path('dict');
    // Its frontend (MeloTTS or Chinese word lexicon) reads words from lexicon.txt.
    if (!lexicon) requireFile('lexicon.txt', 'the pronunciation lexicon');
  }
  if (metadata.frontend !== 'characters' && !dataDir && !lexicon) requireFile('espeak-ng-data', 'eSpeak NG data (or a lexicon.txt)');
  return {
    ...base,
    family: 'vits',
    sampleRate: Number(metadata.sample_rate),
    numSpeakers: Number(metadata.n_speakers),
    speakerNames: (metadata.speaker_names ?? '').split(',').filter(Boolean),
    modelConfig: { vits: section },
  };
}

/** One English lexicon (American unless only the British one is there), then the Chinese one. */
function kokoroLexiconFiles(lexicons: string[]): string[] {
  const english = lexicons.filter((f) => lexiconOrder(f) === 0);
  const chosen = english.find((f) => /us/.test(f)) ?? english.find((f) => !/gb/.test(f)) ?? english[0];
  return lexicons.filter((f) => lexiconOrder(f) !== 0 || f === chosen);
}

/** sherpa-onnx's examples apply the rules phone, date, number in that order (phone numbers before numbers). */
function ruleOrder(file: string): number {
  const order = ['phone', 'date', 'number'];
  const i = order.findIndex((r) => file.replace(/\.fst$/, '').split(/[-_]/).includes(r));
  return i === -1 ? order.length : i;
}

/** Kokoro multi-lang expects the English lexicon first. */
function lexiconOrder(file: string): number {
  if (/(^|[-_])en([-_.]|$)/.test(file)) return 0;
  if (/zh/.test(file)) return 1;
  return 2;
}

/** Every pack folder in the voices directory that inspects cleanly, plus the problems of the others. */
export async function scanPacks(voicesDir: string): Promise<{ packs: VoicePack[]; problems: Error[] }> {
  const entries = await readdir(voicesDir, { withFileTypes: true }).catch(() => []);
  const packs: VoicePack[] = [];
  const problems: Error[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    try {
      packs.push(await inspectPack({ voicesDir, name: entry.name }));
    } catch (error) {
      problems.push(error as Error);
    }
  }
  packs.sort((a, b) => a.name.localeCompare(b.name));
  return { packs, problems };
}
