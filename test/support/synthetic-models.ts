/**
 * Synthetic sherpa-onnx voice packs for tests: tiny ONNX graphs with the file layout and metadata of
 * the published packs, whose output is a known tone per input token. No weights are downloaded or
 * committed; each test builds what it needs into a temp directory.
 *
 * The tone: token id k, at position i of the token sequence the model receives, produces
 * L = round(BASE_SAMPLES × length_scale) samples of amp × sin(2π · 100·(k mod 20 + 1) · n / rate),
 * n = 0..L-1. length_scale is 1/speed (sherpa passes speed that way), amp depends on the speaker.
 */
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { constant, DataType, encodeOnnxModel, type OnnxNode, type OnnxTensor } from './onnx-writer.js';

/** Samples per token at speed 1. Even, so speed 2 gives an exact half. */
export const BASE_SAMPLES = 64;

/** Amplitude of speaker `sid`'s tone (never near zero, so sherpa's pause shortening never kicks in). */
export function speakerAmplitude(sid: number): number {
  return 0.2 + 0.1 * sid;
}

/** The frequency a token id sounds at. */
export function tokenFrequency(tokenId: number): number {
  return 100 * ((tokenId % 20) + 1);
}

/** The exact sample the synthetic models produce. */
export function toneSample({ tokenId, n, sampleRate, sid }: { tokenId: number; n: number; sampleRate: number; sid: number }): number {
  return speakerAmplitude(sid) * Math.sin((2 * Math.PI * tokenFrequency(tokenId) * n) / sampleRate);
}

/**
 * Splits synthetic output into blocks of `samplesPerToken` and finds, for each block, the token
 * class (k mod 20) whose tone matches; `maxError` is the worst deviation from the exact tone.
 */
export function decodeTones({ samples, samplesPerToken, sampleRate, sid }: { samples: Float32Array; samplesPerToken: number; sampleRate: number; sid: number }): {
  classes: number[];
  maxError: number;
} {
  const classes: number[] = [];
  let maxError = 0;
  for (let start = 0; start + samplesPerToken <= samples.length; start += samplesPerToken) {
    let best = -1;
    let bestError = Infinity;
    for (let c = 0; c < 20; c++) {
      let err = 0;
      for (let n = 0; n < samplesPerToken; n++) err = Math.max(err, Math.abs(samples[start + n] - toneSample({ tokenId: c, n, sampleRate, sid })));
      if (err < bestError) {
        bestError = err;
        best = c;
      }
    }
    classes.push(best);
    maxError = Math.max(maxError, bestError);
  }
  return { classes, maxError };
}

/** Graph nodes computing `audio` from a token tensor, a scalar int64 L and an amplitude [1]. */
function toneNodes({ tokens, output, sampleRate, outputShape }: { tokens: string; output: string; sampleRate: number; outputShape: number[] }): { nodes: OnnxNode[]; initializers: OnnxTensor[] } {
  const initializers = [
    constant('c_i64_0', DataType.INT64, [0], []),
    constant('c_i64_1', DataType.INT64, [1], []),
    constant('c_i64_20', DataType.INT64, [20], []),
    constant('c_flat', DataType.INT64, [-1]),
    constant('c_f_100', DataType.FLOAT, [100], []),
    constant('c_f_omega', DataType.FLOAT, [(2 * Math.PI) / sampleRate], []),
    constant('c_out_shape', DataType.INT64, outputShape),
  ];
  const nodes: OnnxNode[] = [
    { opType: 'Shape', inputs: [tokens], outputs: ['x_shape'] },
    { opType: 'Gather', inputs: ['x_shape', 'c_i64_1'], outputs: ['T'], attributes: { axis: { kind: 'int', value: 0 } } },
    { opType: 'Mul', inputs: ['T', 'L'], outputs: ['total'] },
    { opType: 'Range', inputs: ['c_i64_0', 'total', 'c_i64_1'], outputs: ['j'] },
    { opType: 'Div', inputs: ['j', 'L'], outputs: ['tok_index'] },
    { opType: 'Reshape', inputs: [tokens, 'c_flat'], outputs: ['x_flat'] },
    { opType: 'Gather', inputs: ['x_flat', 'tok_index'], outputs: ['k'], attributes: { axis: { kind: 'int', value: 0 } } },
    { opType: 'Mod', inputs: ['k', 'c_i64_20'], outputs: ['k_mod'] },
    { opType: 'Add', inputs: ['k_mod', 'c_i64_1'], outputs: ['k_class'] },
    { opType: 'Cast', inputs: ['k_class'], outputs: ['k_class_f'], attributes: { to: { kind: 'int', value: DataType.FLOAT } } },
    { opType: 'Mul', inputs: ['k_class_f', 'c_f_100'], outputs: ['freq'] },
    { opType: 'Mul', inputs: ['tok_index', 'L'], outputs: ['block_start'] },
    { opType: 'Sub', inputs: ['j', 'block_start'], outputs: ['n'] },
    { opType: 'Cast', inputs: ['n'], outputs: ['n_f'], attributes: { to: { kind: 'int', value: DataType.FLOAT } } },
    { opType: 'Mul', inputs: ['freq', 'n_f'], outputs: ['fn'] },
    { opType: 'Mul', inputs: ['fn', 'c_f_omega'], outputs: ['phase'] },
    { opType: 'Sin', inputs: ['phase'], outputs: ['wave'] },
    { opType: 'Mul', inputs: ['wave', 'amp'], outputs: ['scaled'] },
    { opType: 'Reshape', inputs: ['scaled', 'c_out_shape'], outputs: [output] },
  ];
  return { nodes, initializers };
}

/** Nodes turning a float length scale (shape []) into the int64 scalar L. */
function lengthNodes(lengthScale: string): { nodes: OnnxNode[]; initializers: OnnxTensor[] } {
  return {
    initializers: [constant('c_f_base', DataType.FLOAT, [BASE_SAMPLES], []), constant('c_scalar_shape', DataType.INT64, [], [0])],
    nodes: [
      { opType: 'Mul', inputs: [lengthScale, 'c_f_base'], outputs: ['L_raw'] },
      { opType: 'Round', inputs: ['L_raw'], outputs: ['L_round'] },
      { opType: 'Cast', inputs: ['L_round'], outputs: ['L_any'], attributes: { to: { kind: 'int', value: DataType.INT64 } } },
      { opType: 'Reshape', inputs: ['L_any', 'c_scalar_shape'], outputs: ['L'] },
    ],
  };
}

/** Nodes turning a float [1] speaker value into the amplitude [1]. */
function amplitudeNodes(speakerValue: string): { nodes: OnnxNode[]; initializers: OnnxTensor[] } {
  return {
    initializers: [constant('c_f_amp_step', DataType.FLOAT, [0.1], []), constant('c_f_amp_base', DataType.FLOAT, [0.2], [])],
    nodes: [
      { opType: 'Mul', inputs: [speakerValue, 'c_f_amp_step'], outputs: ['amp_step'] },
      { opType: 'Add', inputs: ['amp_step', 'c_f_amp_base'], outputs: ['amp'] },
    ],
  };
}

/** The Piper/VITS model: inputs x, x_length, scales[3] (noise, length, noise_w), optional sid. */
export function piperModelBytes({ sampleRate, numSpeakers, voice }: { sampleRate: number; numSpeakers: number; voice: string }): Uint8Array {
  const tone = toneNodes({ tokens: 'input', output: 'output', sampleRate, outputShape: [1, 1, -1] });
  const length = lengthNodes('length_scale');
  const multi = numSpeakers > 1;
  const amp = amplitudeNodes('sid_f');
  return encodeOnnxModel({
    inputs: [
      { name: 'input', elemType: DataType.INT64, shape: [1, 'T'] },
      { name: 'input_lengths', elemType: DataType.INT64, shape: [1] },
      { name: 'scales', elemType: DataType.FLOAT, shape: [3] },
      ...(multi ? [{ name: 'sid', elemType: DataType.INT64, shape: [1] }] : []),
    ],
    outputs: [{ name: 'output', elemType: DataType.FLOAT, shape: [1, 1, 'N'] }],
    initializers: [
      ...tone.initializers,
      ...length.initializers,
      ...amp.initializers,
      constant('c_i64_idx1', DataType.INT64, [1], []),
      constant('c_f_sid0', DataType.FLOAT, [0]),
    ],
    nodes: [
      { opType: 'Gather', inputs: ['scales', 'c_i64_idx1'], outputs: ['length_scale'], attributes: { axis: { kind: 'int', value: 0 } } },
      ...length.nodes,
      multi
        ? { opType: 'Cast', inputs: ['sid'], outputs: ['sid_f'], attributes: { to: { kind: 'int', value: DataType.FLOAT } } }
        : { opType: 'Identity', inputs: ['c_f_sid0'], outputs: ['sid_f'] },
      ...amp.nodes,
      ...tone.nodes,
    ],
    metadata: {
      model_type: 'vits',
      comment: 'piper',
      language: voice.startsWith('zh') || voice === 'cmn' ? 'Chinese' : voice.startsWith('en') ? 'English' : voice === 'de' ? 'German' : voice,
      voice,
      has_espeak: '1',
      n_speakers: String(numSpeakers),
      sample_rate: String(sampleRate),
    },
  });
}

/**
 * The Matcha acoustic model: inputs x [1,T], x_length [1], noise_scale [1], length_scale [1]
 * (and sid [1] with several speakers). Its "mel" is already the tone, shaped [1, 1, N], and the
 * synthetic vocoder passes it through, so the pair still yields exactly tokens × L samples.
 */
export function matchaModelBytes({ sampleRate, numSpeakers, voice }: { sampleRate: number; numSpeakers: number; voice: string }): Uint8Array {
  const tone = toneNodes({ tokens: 'x', output: 'mel', sampleRate, outputShape: [1, 1, -1] });
  const length = lengthNodes('length_scale_1');
  const multi = numSpeakers > 1;
  const amp = amplitudeNodes('sid_f');
  return encodeOnnxModel({
    inputs: [
      { name: 'x', elemType: DataType.INT64, shape: [1, 'T'] },
      { name: 'x_length', elemType: DataType.INT64, shape: [1] },
      { name: 'noise_scale', elemType: DataType.FLOAT, shape: [1] },
      { name: 'length_scale', elemType: DataType.FLOAT, shape: [1] },
      ...(multi ? [{ name: 'sid', elemType: DataType.INT64, shape: [1] }] : []),
    ],
    outputs: [{ name: 'mel', elemType: DataType.FLOAT, shape: [1, 1, 'N'] }],
    initializers: [...tone.initializers, ...length.initializers, ...amp.initializers, constant('c_f_sid0', DataType.FLOAT, [0])],
    nodes: [
      { opType: 'Identity', inputs: ['length_scale'], outputs: ['length_scale_1'] },
      ...length.nodes,
      multi
        ? { opType: 'Cast', inputs: ['sid'], outputs: ['sid_f'], attributes: { to: { kind: 'int', value: DataType.FLOAT } } }
        : { opType: 'Identity', inputs: ['c_f_sid0'], outputs: ['sid_f'] },
      ...amp.nodes,
      ...tone.nodes,
    ],
    metadata: {
      model_type: 'matcha-tts',
      language: voice.startsWith('en') ? 'English' : 'Chinese',
      voice,
      has_espeak: '1',
      n_speakers: String(numSpeakers),
      sample_rate: String(sampleRate),
      use_eos_bos: '1',
      pad_id: '0',
      add_blank: '0',
      version: '1',
    },
  });
}

/** A HiFi-GAN-shaped vocoder (mel in, audio out) that passes its input through. */
export function passThroughVocoderBytes(): Uint8Array {
  return encodeOnnxModel({
    inputs: [{ name: 'mel', elemType: DataType.FLOAT, shape: [1, 1, 'N'] }],
    outputs: [{ name: 'audio', elemType: DataType.FLOAT, shape: [1, 'N'] }],
    initializers: [constant('c_shape', DataType.INT64, [1, -1])],
    nodes: [{ opType: 'Reshape', inputs: ['mel', 'c_shape'], outputs: ['audio'] }],
    metadata: { model_type: 'hifigan' },
  });
}

/**
 * Writes a Matcha pack laid out like `matcha-icefall-en_US-ljspeech` (model-steps-3.onnx, tokens.txt,
 * espeak-ng-data/) and, unless told otherwise, the vocoder next to the packs as users install it.
 */
export async function writeMatchaPack({
  voicesDir,
  packName = 'matcha-icefall-en_US-ljspeech',
  sampleRate = 22050,
  numSpeakers = 1,
  withVocoder = true,
}: {
  voicesDir: string;
  packName?: string;
  sampleRate?: number;
  numSpeakers?: number;
  withVocoder?: boolean;
}): Promise<{ packDir: string; packName: string }> {
  const packDir = join(voicesDir, packName);
  await mkdir(packDir, { recursive: true });
  await writeFile(join(packDir, 'model-steps-3.onnx'), matchaModelBytes({ sampleRate, numSpeakers, voice: 'en-us' }));
  await writeFile(join(packDir, 'tokens.txt'), tokensText());
  await writeEspeakData(join(packDir, 'espeak-ng-data'));
  if (withVocoder) await writeFile(join(voicesDir, 'hifigan_v2.onnx'), passThroughVocoderBytes());
  return { packDir, packName };
}

/** Style vector width of the synthetic Kokoro model (real packs use 256). */
export const KOKORO_STYLE_WIDTH = 4;
/** Max tokens per call (style_dim[0]); real packs use 510. */
export const KOKORO_MAX_TOKENS = 510;

/** The Kokoro model: inputs tokens [1,T], style [1,D], speed [1]; output audio [N]. */
export function kokoroModelBytes({
  sampleRate,
  speakerNames,
  version = 1,
  language = 'English',
  styleDim = `${KOKORO_MAX_TOKENS},1,${KOKORO_STYLE_WIDTH}`,
}: {
  sampleRate: number;
  speakerNames: string[];
  /** 1: Kokoro v0.19 (English, eSpeak NG); 2: Kokoro v1.0 multi-lang (lexicons). */
  version?: number;
  language?: string;
  /** The `style_dim` metadata as written (sherpa-onnx checks it against voices.bin). */
  styleDim?: string;
}): Uint8Array {
  const tone = toneNodes({ tokens: 'tokens', output: 'audio', sampleRate, outputShape: [-1] });
  const length = lengthNodes('length_scale');
  const amp = amplitudeNodes('style_0');
  return encodeOnnxModel({
    inputs: [
      { name: 'tokens', elemType: DataType.INT64, shape: [1, 'T'] },
      { name: 'style', elemType: DataType.FLOAT, shape: [1, KOKORO_STYLE_WIDTH] },
      { name: 'speed', elemType: DataType.FLOAT, shape: [1] },
    ],
    outputs: [{ name: 'audio', elemType: DataType.FLOAT, shape: ['N'] }],
    initializers: [...tone.initializers, ...length.initializers, ...amp.initializers, constant('c_f_one', DataType.FLOAT, [1], []), constant('c_i64_idx0', DataType.INT64, [0], [])],
    nodes: [
      { opType: 'Div', inputs: ['c_f_one', 'speed'], outputs: ['length_scale'] },
      ...length.nodes,
      { opType: 'Gather', inputs: ['style', 'c_i64_idx0'], outputs: ['style_col'], attributes: { axis: { kind: 'int', value: 1 } } },
      { opType: 'Reshape', inputs: ['style_col', 'c_flat'], outputs: ['style_0'] },
      ...amp.nodes,
      ...tone.nodes,
    ],
    metadata: {
      model_type: 'kokoro',
      language,
      voice: 'en-us',
      has_espeak: '1',
      n_speakers: String(speakerNames.length),
      speaker_names: speakerNames.join(','),
      sample_rate: String(sampleRate),
      style_dim: styleDim,
      version: String(version),
    },
  });
}

/** voices.bin for the synthetic Kokoro: speaker s's style is all `s`, so its amplitude is speakerAmplitude(s). */
export function kokoroVoicesBytes(numSpeakers: number): Uint8Array {
  const floats = new Float32Array(numSpeakers * KOKORO_MAX_TOKENS * KOKORO_STYLE_WIDTH);
  for (let s = 0; s < numSpeakers; s++) floats.fill(s, s * KOKORO_MAX_TOKENS * KOKORO_STYLE_WIDTH, (s + 1) * KOKORO_MAX_TOKENS * KOKORO_STYLE_WIDTH);
  return new Uint8Array(floats.buffer);
}

const IPA_SYMBOLS =
  "!'(),-.:;?abcdefghijklmnopqrstuvwxyzæçðøħŋœǀǁǂǃɐɑɒɓɔɕɖɗɘəɚɛɜɞɟɠɡɢɣɤɥɦɧɨɪɫɬɭɮɯɰɱɲɳɴɵɶɸɹɺɻɽɾʀʁʂʃʄʈʉʊʋʌʍʎʏʐʑʒʔʕʘʙʛʜʝʟʡʢʲˈˌːˑ˞βθχᵻⱱ\u0303\u0327\u0329\u032a\u032f\u033a\u033b↓↑→↗↘1234567";

/** A Piper-style tokens.txt: pad, bos, eos, space, then punctuation, letters and IPA symbols. */
export function tokensText(): string {
  const symbols = ['_', '^', '$', ' ', ...Array.from(IPA_SYMBOLS)];
  return symbols.map((s, i) => `${s} ${i}`).join('\n') + '\n';
}

let espeakDataCache: Promise<Map<string, Uint8Array>> | undefined;

/** eSpeak NG data files from the bundled WebAssembly module's virtual file system (path → bytes). */
function espeakDataFiles(): Promise<Map<string, Uint8Array>> {
  espeakDataCache ??= (async () => {
    const { default: createModule } = await import('@echogarden/espeak-ng-emscripten');
    const m = await createModule();
    const root = '/usr/share/espeak-ng-data';
    const files = new Map<string, Uint8Array>();
    // Only what an English or Mandarin voice reads: phoneme tables, dictionaries, voices, languages.
    const wanted = (rel: string): boolean => !rel.endsWith('_dict') || rel === 'en_dict' || rel === 'cmn_dict';
    const walk = (dir: string, rel: string): void => {
      for (const name of m.FS.readdir(dir) as string[]) {
        if (name === '.' || name === '..') continue;
        const path = `${dir}/${name}`;
        const relPath = rel ? `${rel}/${name}` : name;
        if (m.FS.isDir(m.FS.stat(path).mode)) walk(path, relPath);
        else if (wanted(relPath)) files.set(relPath, m.FS.readFile(path) as Uint8Array);
      }
    };
    walk(root, '');
    return files;
  })();
  return espeakDataCache;
}

async function writeEspeakData(dir: string): Promise<void> {
  for (const [rel, bytes] of await espeakDataFiles()) {
    const path = join(dir, rel);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
  }
}

/** A fresh voices directory in the system temp dir. */
export function makeVoicesDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'narrate-voices-'));
}

/** Writes a Piper pack as published (`vits-piper-<name>/<name>.onnx`, tokens.txt, espeak-ng-data/). */
export async function writePiperPack({
  voicesDir,
  name = 'en_US-synthetic-low',
  numSpeakers = 1,
  sampleRate = 16000,
  voice = 'en-us',
}: {
  voicesDir: string;
  name?: string;
  numSpeakers?: number;
  sampleRate?: number;
  voice?: string;
}): Promise<{ packDir: string; packName: string }> {
  const packName = `vits-piper-${name}`;
  const packDir = join(voicesDir, packName);
  await mkdir(packDir, { recursive: true });
  await writeFile(join(packDir, `${name}.onnx`), piperModelBytes({ sampleRate, numSpeakers, voice }));
  await writeFile(join(packDir, 'tokens.txt'), tokensText());
  await writeEspeakData(join(packDir, 'espeak-ng-data'));
  return { packDir, packName };
}

/** Writes a Kokoro pack laid out like `kokoro-en-v0_19` (model.onnx, voices.bin, tokens.txt, espeak-ng-data/). */
export async function writeKokoroPack({
  voicesDir,
  packName = 'kokoro-en-v0_19',
  speakerNames = ['af_heart', 'am_adam', 'bf_emma'],
  sampleRate = 24000,
  version = 1,
  files = {},
}: {
  voicesDir: string;
  packName?: string;
  speakerNames?: string[];
  sampleRate?: number;
  /** Model metadata version: 2 makes it a multi-lang (v1.0) model, which needs lexicons. */
  version?: number;
  /** Extra files by name (lexicon-us-en.txt, ...), written into the pack folder. */
  files?: Record<string, string>;
}): Promise<{ packDir: string; packName: string }> {
  const packDir = join(voicesDir, packName);
  await mkdir(packDir, { recursive: true });
  const language = version >= 2 ? 'multi-lang, e.g., English, Chinese' : 'English';
  await writeFile(join(packDir, 'model.onnx'), kokoroModelBytes({ sampleRate, speakerNames, version, language }));
  for (const [file, text] of Object.entries(files)) await writeFile(join(packDir, file), text);
  await writeFile(join(packDir, 'voices.bin'), kokoroVoicesBytes(speakerNames.length));
  await writeFile(join(packDir, 'tokens.txt'), tokensText());
  await writeEspeakData(join(packDir, 'espeak-ng-data'));
  return { packDir, packName };
}

/** Copies a pack under another name (tests that break one copy). */
export async function copyPack({ from, to }: { from: string; to: string }): Promise<void> {
  await cp(from, to, { recursive: true });
}
