/**
 * Packs laid out as sherpa-onnx's tts-models release publishes them (see its
 * .github/workflows/export-kokoro.yaml and the pretrained-model docs), through the real loading code
 * and, where it loads, the real sherpa-onnx runtime.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPackCatalog } from '../voices/pack-catalog.models.js';
import { createVoiceResolver } from '../voices/voice-resolver.models.js';
import { BASE_SAMPLES, decodeTones, makeVoicesDir, writeKokoroPack, writePiperPack } from '../../test/support/synthetic-models.js';
import type { EngineVoice, TtsEngine } from './engine.types.js';
import { inspectPack } from './sherpa-packs.js';
import { createSherpaEngine } from './sherpa.engine.js';

let voicesDir: string;
let engine: TtsEngine;

/** kokoro-multi-lang-v1_0 ships lexicon*.txt (us-en, gb-en, zh), dict/ and three rule FSTs. */
const MULTI_LANG_FILES = {
  'lexicon-gb-en.txt': 'hello a a\n',
  'lexicon-us-en.txt': 'hello b b\n',
  'lexicon-zh.txt': '你 c\n好 d\n',
  'number-zh.fst': '',
  'date-zh.fst': '',
  'phone-zh.fst': '',
};

beforeAll(async () => {
  voicesDir = await makeVoicesDir();
  const { packDir } = await writeKokoroPack({
    voicesDir,
    packName: 'kokoro-multi-lang-v1_1',
    version: 2,
    speakerNames: ['af_maple', 'bm_fable', 'zf_001', 'zm_009'],
    files: { 'lexicon-gb-en.txt': MULTI_LANG_FILES['lexicon-gb-en.txt'], 'lexicon-us-en.txt': MULTI_LANG_FILES['lexicon-us-en.txt'], 'lexicon-zh.txt': MULTI_LANG_FILES['lexicon-zh.txt'] },
  });
  await mkdir(join(packDir, 'dict'));
  await writeKokoroPack({ voicesDir, packName: 'kokoro-en-v0_19', speakerNames: ['af', 'af_bella', 'am_adam'] });
  // A Piper voice in German: "thorsten" must not read as English.
  await writePiperPack({ voicesDir, name: 'de_DE-thorsten-medium', voice: 'de', sampleRate: 22050 });
  engine = createSherpaEngine({ voicesDir, numThreads: 1 });
});

afterAll(async () => {
  await engine.close();
  await rm(voicesDir, { recursive: true, force: true });
});

describe('packs as sherpa-onnx publishes them', () => {
  it('Kokoro multi-lang: one English lexicon (us) then Chinese, rule FSTs phone, date, number', async () => {
    const dir = await makeVoicesDir();
    try {
      const { packDir } = await writeKokoroPack({ voicesDir: dir, packName: 'kokoro-multi-lang-v1_0', version: 2, files: MULTI_LANG_FILES });
      const pack = await inspectPack({ voicesDir: dir, name: 'kokoro-multi-lang-v1_0' });
      expect(pack.modelConfig.kokoro.lexicon).toBe(`${join(packDir, 'lexicon-us-en.txt')},${join(packDir, 'lexicon-zh.txt')}`);
      expect(pack.ruleFsts).toBe(['phone-zh.fst', 'date-zh.fst', 'number-zh.fst'].map((f) => join(packDir, f)).join(','));
      expect(pack.languages).toEqual(['zh', 'en']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('Kokoro multi-lang through the runtime: Chinese from lexicon-zh.txt, each speaker its style', async () => {
    const zf = await engine.synthesize({ text: '你好', voice: { engine: 'sherpa', model: 'kokoro-multi-lang-v1_1', speaker: 2, languages: ['zh'], gender: 'female', sampleRate: 24000 }, speed: 1 });
    expect(zf.sampleRate).toBe(24000);
    const decoded = decodeTones({ samples: zf.samples, samplesPerToken: BASE_SAMPLES, sampleRate: 24000, sid: 2 });
    expect(decoded.maxError).toBeLessThan(1e-4);
    // 0, c (id 16), d (id 17), 0: the lexicon's tokens, wrapped in Kokoro's 0 tokens.
    expect(decoded.classes).toEqual([0, 16, 17, 0]);
  });

  it('refuses a multi-lang Kokoro without lexicons instead of letting sherpa-onnx end the process', async () => {
    const dir = await makeVoicesDir();
    try {
      await writeKokoroPack({ voicesDir: dir, packName: 'kokoro-multi-lang-v1_0', version: 2 });
      await expect(inspectPack({ voicesDir: dir, name: 'kokoro-multi-lang-v1_0' })).rejects.toThrow(/kokoro-multi-lang-v1_0.*lexicon/);
      const e = createSherpaEngine({ voicesDir: dir });
      const voice: EngineVoice = { engine: 'sherpa', model: 'kokoro-multi-lang-v1_0', speaker: 0, languages: ['en'], gender: 'female', sampleRate: 24000 };
      await expect(e.synthesize({ text: 'Hello.', voice, speed: 1 })).rejects.toMatchObject({ code: 'SynthesisFailed' });
      expect(await e.listVoices()).toEqual([]);
      await e.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a Kokoro style_dim sherpa-onnx would exit on, and espeak-ng-data without its phoneme tables', async () => {
    const dir = await makeVoicesDir();
    try {
      const { packDir } = await writeKokoroPack({ voicesDir: dir });
      const { kokoroModelBytes } = await import('../../test/support/synthetic-models.js');
      // voices.bin still matches style_dim[0] × style_dim[2] × speakers floats: only style_dim[1] is wrong.
      await writeFile(join(packDir, 'model.onnx'), kokoroModelBytes({ sampleRate: 24000, speakerNames: ['af_heart', 'am_adam', 'bf_emma'], styleDim: '510,2,4' }));
      await expect(inspectPack({ voicesDir: dir, name: 'kokoro-en-v0_19' })).rejects.toThrow(/style_dim/);
      const piper = await writePiperPack({ voicesDir: dir, name: 'en_US-amy-low' });
      await rm(join(piper.packDir, 'espeak-ng-data', 'phondata'));
      await expect(inspectPack({ voicesDir: dir, name: piper.packName })).rejects.toThrow(/espeak-ng-data lacks phondata/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lists Kokoro v0.19 speaker "af", leaves a German Piper voice out, and names speakers from the model', async () => {
    const voices = await engine.listVoices();
    expect(voices.filter((v) => v.model === 'vits-piper-de_DE-thorsten-medium')).toEqual([]);
    expect(voices.filter((v) => v.model === 'kokoro-en-v0_19').map((v) => `${v.speaker} ${v.speakerName} ${v.gender} ${v.languages.join('+')}`)).toEqual([
      '0 af female en',
      '1 af_bella female en',
      '2 am_adam male en',
    ]);
  });

  it('resolves Kokoro speaker names as direct names, bare (af_bella) or with the pack, even for packs not in the catalog', async () => {
    const resolver = createVoiceResolver({ installed: await engine.listVoices(), packs: loadPackCatalog().packs });
    expect(resolver.resolve('af_bella')?.engineVoice).toMatchObject({ engine: 'sherpa', model: 'kokoro-en-v0_19', speaker: 1 });
    expect(resolver.resolve('ZM_009')?.engineVoice).toMatchObject({ model: 'kokoro-multi-lang-v1_1', speaker: 3 });
    expect(resolver.resolve('kokoro-multi-lang-v1_1:bm_fable')?.engineVoice).toMatchObject({ model: 'kokoro-multi-lang-v1_1', speaker: 1 });
    expect(resolver.resolve('af_nobody')).toBeNull();
    const rows = resolver.list().filter((m) => m.source === 'installed' && m.resolved.engineVoice.model === 'kokoro-multi-lang-v1_1');
    expect(rows.map((m) => m.style)).toEqual(['af_maple', 'bm_fable', 'zf_001', 'zm_009']);
    // Catalog voices pick Mandarin speakers of the multi-lang pack for Chinese names.
    expect(resolver.resolve('Xiaogang')?.engineVoice).toMatchObject({ model: 'kokoro-multi-lang-v1_1', speaker: 3 });
  });
});
