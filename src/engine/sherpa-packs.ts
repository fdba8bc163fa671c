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
  const langs: Language[] = [];
  if (/\bzh|zh[-_]|chinese|cmn|mandarin|baker|aishell|multi-lang/.test(text)) langs.push('zh');
  if (/\ben|en[-_]|english|multi-lang|ljspeech|libritts/.test(text)) langs.push('en');
  // Packs in other languages (de_DE-thorsten) have no voice here: the service speaks zh and en.
  return langs;
}

/** Gender of one speaker: Kokoro names say it (af_ female, am_ male), else the pack table. */
export function speakerGender({ packName, speakerName }: { packName: string; speakerName?: string }): Gender {
  if (speakerName && /^[a-z][fm]_/.test(speakerName)) return speakerName[1] === 'f' ? 'female' : 'male';
  for (const [pattern, gender] of KNOWN_GENDERS) if (pattern.test(packName)) return gender;
  return 'female';
}

/** Kokoro speaker languages by name prefix: a (American) and b (British) English, z Mandarin. */
function kokoroSpeakerLanguages(speakerName: string | undefined, packLanguages: Language[]): Language[] {
  if (!speakerName) return packLanguages;
  if (/^[ab][fm]_/.test(speakerName)) return ['en'];
  if (/^z[fm]_/.test(speakerName)) return ['zh'];
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
  const fsts = entries.filter((f) => f.endsWith('.fst')).map(path).join(',');
  const fars = entries.filter((f) => f.endsWith('.far')).map(path).join(',');

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
  const lexicons = entries.filter((f) => /^lexicon.*\.txt$/.test(f)).sort((a, b) => lexiconOrder(a) - lexiconOrder(b));
  const lexicon = lexicons.map(path).join(',');
  const modelType = metadata.model_type ?? '';

  const base = { name, dir, ruleFsts: fsts, ruleFars: fars, languages: languagesOf({ name, metadata }) };

  if (has('voices.bin') || modelType === 'kokoro' || modelType === 'kitten') {
    const family: PackFamily = modelType === 'kitten' || /kitten/i.test(name) ? 'kitten' : 'kokoro';
    const voicesFile = requireFile('voices.bin', 'the speaker style vectors');
    requireKeys({ pack: name, file: modelFile, metadata, keys: ['sample_rate', 'n_speakers', 'has_espeak', 'style_dim'].filter((k) => family === 'kokoro' || k !== 'style_dim') });
    if (metadata.has_espeak === '1' && !dataDir) requireFile('espeak-ng-data', 'eSpeak NG data for the phonemizer');
    const speakerNames = (metadata.speaker_names ?? '').split(',').filter(Boolean);
    if (family === 'kokoro') {
      const dims = metadata.style_dim.split(',').map(Number);
      const expected = dims[0] * dims[2] * Number(metadata.n_speakers) * 4;
      const actual = (await stat(voicesFile)).size;
      if (dims.length !== 3 || actual !== expected) {
        throw errors.synthesisFailed(`voice pack "${name}": voices.bin has ${actual} bytes, the model expects ${expected}; the pack is corrupt.`);
      }
    }
    const section: Record<string, string> = { model: path(modelFile), voices: voicesFile, tokens, dataDir };
    if (family === 'kokoro' && lexicon) section.lexicon = lexicon;
    return {
      ...base,
      languages: lexicons.some((l) => /zh/.test(l)) ? ['zh', 'en'] : base.languages,
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

/** Kokoro multi-lang expects the English lexicon first. */
function lexiconOrder(file: string): number {
  if (/en/.test(file)) return 0;
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
