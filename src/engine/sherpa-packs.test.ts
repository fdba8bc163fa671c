import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encodeOnnxModel } from '../../test/support/onnx-writer.js';
import { makeVoicesDir, tokensText, writeKokoroPack, writePiperPack } from '../../test/support/synthetic-models.js';
import { inspectPack, scanPacks, speakerGender } from './sherpa-packs.js';

let voicesDir: string;
beforeEach(async () => {
  voicesDir = await makeVoicesDir();
});
afterEach(async () => {
  await rm(voicesDir, { recursive: true, force: true });
});

async function writeModelOnly({ pack, file, metadata }: { pack: string; file: string; metadata: Record<string, string> }): Promise<string> {
  const dir = join(voicesDir, pack);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, file), encodeOnnxModel({ nodes: [], inputs: [], outputs: [], metadata }));
  await writeFile(join(dir, 'tokens.txt'), tokensText());
  return dir;
}

describe('voice pack detection', () => {
  it('builds a Piper config from the files present', async () => {
    const { packDir, packName } = await writePiperPack({ voicesDir, name: 'zh_CN-huayan-medium', voice: 'cmn', sampleRate: 22050 });
    const pack = await inspectPack({ voicesDir, name: packName });
    expect(pack).toMatchObject({ family: 'vits', sampleRate: 22050, numSpeakers: 1, languages: ['zh'] });
    expect(pack.modelConfig).toEqual({
      vits: { model: join(packDir, 'zh_CN-huayan-medium.onnx'), tokens: join(packDir, 'tokens.txt'), dataDir: join(packDir, 'espeak-ng-data'), lexicon: '' },
    });
  });

  it('recognises a multi-lang Kokoro pack: lexicons English first, text rules, both languages', async () => {
    const { packDir, packName } = await writeKokoroPack({ voicesDir, packName: 'kokoro-multi-lang-v1_0' });
    for (const f of ['lexicon-zh.txt', 'lexicon-us-en.txt', 'date-zh.fst', 'number-zh.fst']) await writeFile(join(packDir, f), '');
    const pack = await inspectPack({ voicesDir, name: packName });
    expect(pack.family).toBe('kokoro');
    expect(pack.languages).toEqual(['zh', 'en']);
    expect(pack.modelConfig.kokoro.lexicon).toBe(`${join(packDir, 'lexicon-us-en.txt')},${join(packDir, 'lexicon-zh.txt')}`);
    expect(pack.ruleFsts.split(',').sort()).toEqual([join(packDir, 'date-zh.fst'), join(packDir, 'number-zh.fst')]);
  });

  it('requires the jieba dictionary for a jieba model', async () => {
    const dir = await writeModelOnly({
      pack: 'vits-zh-aishell3',
      file: 'vits-aishell3.onnx',
      metadata: { model_type: 'vits', comment: 'icefall', language: 'Chinese', sample_rate: '8000', n_speakers: '174', jieba: '1' },
    });
    await writeFile(join(dir, 'lexicon.txt'), '');
    await expect(inspectPack({ voicesDir, name: 'vits-zh-aishell3' })).rejects.toThrow(/dict \(the jieba dictionary folder\) is missing/);
    await mkdir(join(dir, 'dict'));
    const pack = await inspectPack({ voicesDir, name: 'vits-zh-aishell3' });
    expect(pack.modelConfig.vits.dictDir).toBe(join(dir, 'dict'));
    expect(pack.numSpeakers).toBe(174);
  });

  it('refuses a model without the metadata sherpa-onnx reads', async () => {
    await writeModelOnly({ pack: 'vits-odd', file: 'model.onnx', metadata: { model_type: 'vits', sample_rate: '16000' } });
    await expect(inspectPack({ voicesDir, name: 'vits-odd' })).rejects.toThrow(/lacks the ONNX metadata n_speakers, comment, language/);
  });

  it('finds the Matcha vocoder beside the packs and checks its kind', async () => {
    await writeModelOnly({ pack: 'matcha-icefall-zh-baker', file: 'model-steps-3.onnx', metadata: { model_type: 'matcha-tts', sample_rate: '22050', n_speakers: '1', pad_id: '0' } });
    await writeFile(join(voicesDir, 'matcha-icefall-zh-baker', 'lexicon.txt'), '');
    await writeFile(join(voicesDir, 'vocos-22khz-univ.onnx'), encodeOnnxModel({ nodes: [], inputs: [], outputs: [], metadata: { model_type: 'something' } }));
    await expect(inspectPack({ voicesDir, name: 'matcha-icefall-zh-baker' })).rejects.toThrow(/hifigan or vocos/);
    await writeFile(join(voicesDir, 'vocos-22khz-univ.onnx'), encodeOnnxModel({ nodes: [], inputs: [], outputs: [], metadata: { model_type: 'vocos' } }));
    const pack = await inspectPack({ voicesDir, name: 'matcha-icefall-zh-baker' });
    expect(pack.family).toBe('matcha');
    expect(pack.languages).toEqual(['zh']);
    expect(pack.modelConfig.matcha.vocoder).toBe(join(voicesDir, 'vocos-22khz-univ.onnx'));
  });

  it('scans past broken packs, reporting them', async () => {
    const { packDir } = await writePiperPack({ voicesDir, name: 'en_US-ryan-low' });
    await writePiperPack({ voicesDir, name: 'en_US-amy-low' });
    await rename(join(packDir, 'espeak-ng-data'), join(packDir, 'elsewhere'));
    const { packs, problems } = await scanPacks(voicesDir);
    expect(packs.map((p) => p.name)).toEqual(['vits-piper-en_US-amy-low']);
    expect(problems[0].message).toMatch(/vits-piper-en_US-ryan-low.*espeak-ng-data/);
  });

  it('knows speaker genders from Kokoro names and known packs', () => {
    expect(speakerGender({ packName: 'kokoro-multi-lang-v1_0', speakerName: 'zm_yunjian' })).toBe('male');
    expect(speakerGender({ packName: 'kokoro-multi-lang-v1_0', speakerName: 'zf_xiaobei' })).toBe('female');
    expect(speakerGender({ packName: 'vits-piper-en_US-ryan-medium' })).toBe('male');
    expect(speakerGender({ packName: 'vits-piper-en_US-amy-low' })).toBe('female');
  });
});
