import { describe, expect, it } from 'vitest';
import type { EngineVoice } from '../engine/engine.types.js';
import { loadPackCatalog } from './pack-catalog.models.js';
import { loadVoiceCatalog } from './voice-catalog.models.js';
import { createVoiceResolver } from './voice-resolver.models.js';

const ESPEAK: EngineVoice[] = [
  { engine: 'espeak', model: 'cmn', speaker: '', languages: ['zh'], gender: 'female', sampleRate: 22050 },
  { engine: 'espeak', model: 'en-us', speaker: '', languages: ['en'], gender: 'female', sampleRate: 22050 },
  { engine: 'espeak', model: 'en-gb', speaker: '', languages: ['en'], gender: 'male', sampleRate: 22050 },
];

const packs = loadPackCatalog().packs;
const kokoroNames = packs.find((p) => p.name === 'kokoro-multi-lang-v1_0')!.speakerNames!;

/** Kokoro v1.0 as the sherpa engine would list it: numeric ids, zh+en, gender from the name. */
function kokoroVoices(): EngineVoice[] {
  return kokoroNames
    .map((n, id) => ({ n, id }))
    .filter(({ n }) => /^[abz][fm]_/.test(n))
    .map(({ n, id }) => ({
      engine: 'sherpa' as const,
      model: 'kokoro-multi-lang-v1_0',
      speaker: id,
      languages: ['zh', 'en'] as EngineVoice['languages'],
      gender: n[1] === 'f' ? ('female' as const) : ('male' as const),
      sampleRate: 24000,
    }));
}

const amy: EngineVoice = { engine: 'sherpa', model: 'vits-piper-en_US-amy-low', speaker: 0, languages: ['en'], gender: 'female', sampleRate: 16000 };
const huayan: EngineVoice = { engine: 'sherpa', model: 'vits-piper-zh_CN-huayan-medium', speaker: 0, languages: ['zh'], gender: 'female', sampleRate: 22050 };
const melo: EngineVoice = { engine: 'sherpa', model: 'vits-melo-tts-zh_en', speaker: 0, languages: ['zh', 'en'], gender: 'female', sampleRate: 44100 };

describe('voice resolver with eSpeak NG only', () => {
  const resolver = createVoiceResolver({ installed: ESPEAK });
  const catalog = loadVoiceCatalog();

  it('resolves all 44 catalog names (38 Alibaba + 6 OpenAI) to eSpeak voices', () => {
    expect(catalog).toHaveLength(44);
    expect(catalog.filter((v) => v.scenario !== 'openai')).toHaveLength(38);
    for (const cv of catalog) {
      const r = resolver.resolve(cv.id);
      expect(r, cv.id).not.toBeNull();
      expect(r!.name).toBe(cv.id);
      expect(r!.engineVoice.engine).toBe('espeak');
    }
  });

  it('resolves the same names with nothing installed at all, since eSpeak NG is bundled', () => {
    const bare = createVoiceResolver({ installed: [] });
    for (const cv of catalog) expect(bare.resolve(cv.id)?.engineVoice.engine, cv.id).toBe('espeak');
  });

  it('picks the eSpeak model by language and accent, and a variant by gender', () => {
    const siqi = resolver.resolve('Siqi')!;
    expect(siqi.engineVoice.model).toBe('cmn');
    expect(siqi.engineVoice.speaker).toMatch(/^f\d$/);
    expect(siqi.language).toBe('zh');
    // Every voice takes every rate ICE knows: engines render at their own rate and the audio stage resamples.
    expect(siqi.supportedSampleRates).toEqual([8000, 16000, 24000, 48000]);
    const xiaogang = resolver.resolve('Xiaogang')!;
    expect(xiaogang.engineVoice).toMatchObject({ model: 'cmn', gender: 'male' });
    expect(xiaogang.engineVoice.speaker).toMatch(/^m\d$/);
    expect(resolver.resolve('Harry')!.engineVoice).toMatchObject({ model: 'en-gb', gender: 'male' });
    expect(resolver.resolve('Abby')!.engineVoice).toMatchObject({ model: 'en-us', gender: 'female' });
    expect(resolver.resolve('Emily')!.engineVoice.model).toBe('en-gb');
    expect(resolver.resolve('onyx')!.engineVoice).toMatchObject({ model: 'en-us', gender: 'male' });
    expect(resolver.resolve('fable')!.engineVoice.model).toBe('en-gb');
    expect(resolver.resolve('Abby')!.language).toBe('en');
  });

  it('gives voices of one gender and language different variants where the table allows', () => {
    const variants = ['Xiaoyun', 'Ruoxi', 'Siqi', 'Sijia', 'Aiqi'].map((n) => resolver.resolve(n)!.engineVoice.speaker);
    expect(new Set(variants).size).toBe(5);
    const men = ['Xiaogang', 'Sicheng', 'Aicheng', 'Aida'].map((n) => resolver.resolve(n)!.engineVoice.speaker);
    expect(new Set(men).size).toBe(4);
  });

  it('speaks child voices with a high female variant and asks for a pitch shift', () => {
    const xiaobei = resolver.resolve('Xiaobei')!;
    expect(xiaobei.engineVoice.model).toBe('cmn');
    expect(xiaobei.engineVoice.speaker).toMatch(/^f\d$/);
    expect(xiaobei.pitchShiftSemitones).toBeGreaterThan(0);
    expect(resolver.resolve('Siqi')!.pitchShiftSemitones).toBe(0);
  });

  it('matches names case-insensitively and ignores surrounding spaces', () => {
    for (const n of ['siqi', 'SIQI', ' Siqi ', 'sIqI']) expect(resolver.resolve(n)?.name).toBe('Siqi');
    expect(resolver.resolve('ALLOY')?.name).toBe('alloy');
  });

  it('returns null for unknown names', () => {
    for (const n of ['', '   ', 'nobody', 'Siqi2', 'espeak:', 'espeak:klingon', 'espeak:cmn+zz9', 'espeak:cmn+f1+m1', 'missing-pack:0', 'a:b:c:d']) {
      expect(resolver.resolve(n), n).toBeNull();
    }
  });

  it('accepts direct eSpeak names, case-insensitively', () => {
    const r = resolver.resolve('espeak:cmn+f3')!;
    expect(r.name).toBe('espeak:cmn+f3');
    expect(r.engineVoice).toMatchObject({ engine: 'espeak', model: 'cmn', speaker: 'f3', gender: 'female' });
    expect(r.language).toBe('zh');
    expect(resolver.resolve('ESPEAK:EN-US+M2')!.engineVoice).toMatchObject({ model: 'en-us', speaker: 'm2', gender: 'male' });
    expect(resolver.resolve('espeak:en-gb')!.engineVoice).toMatchObject({ model: 'en-gb', speaker: '' });
    expect(resolver.resolve('espeak:en-gb')!.supportedSampleRates).toContain(48000);
  });
});

describe('voice resolver with neural packs installed', () => {
  const installed = [...ESPEAK, ...kokoroVoices(), amy];
  const resolver = createVoiceResolver({ installed, packs });
  const nameOf = (voice: string) => {
    const ev = resolver.resolve(voice)!.engineVoice;
    return ev.engine === 'sherpa' && typeof ev.speaker === 'number' ? kokoroNames[ev.speaker] : `${ev.model}:${ev.speaker}`;
  };

  it('maps a zh+en female voice to a Mandarin female speaker of the zh+en pack', () => {
    const siqi = resolver.resolve('Siqi')!;
    expect(siqi.engineVoice).toMatchObject({ engine: 'sherpa', model: 'kokoro-multi-lang-v1_0', gender: 'female' });
    expect(nameOf('Siqi')).toMatch(/^zf_/);
    expect(siqi.language).toBe('zh');
  });

  it('spreads voices of the same kind over different speakers', () => {
    expect(nameOf('Ruoxi')).toMatch(/^zf_/);
    expect(nameOf('Ruoxi')).not.toBe(nameOf('Siqi'));
    const men = ['Xiaogang', 'Sicheng', 'Aicheng', 'Aida'].map(nameOf);
    expect(men.every((n) => n.startsWith('zm_'))).toBe(true);
    expect(new Set(men).size).toBe(4);
  });

  it('maps English voices to English speakers of the right gender and accent', () => {
    expect(nameOf('Andy')).toMatch(/^am_/);
    expect(nameOf('Harry')).toMatch(/^bm_/);
    expect(nameOf('Emily')).toMatch(/^bf_/);
    expect(nameOf('onyx')).toMatch(/^am_/);
  });

  it('gives child voices a female neural speaker with a pitch shift', () => {
    const r = resolver.resolve('Xiaobei')!;
    expect(nameOf('Xiaobei')).toMatch(/^zf_/);
    expect(r.pitchShiftSemitones).toBeGreaterThan(0);
  });

  it('prefers a pack covering all languages of a zh+en voice over a Chinese-only pack', () => {
    const r = createVoiceResolver({ installed: [...ESPEAK, huayan, melo] });
    expect(r.resolve('Siqi')!.engineVoice.model).toBe('vits-melo-tts-zh_en');
    expect(r.resolve('Aixia')!.engineVoice.model).toBe('vits-melo-tts-zh_en');
    // A Chinese-only voice may use either.
    expect(['vits-melo-tts-zh_en', 'vits-piper-zh_CN-huayan-medium']).toContain(r.resolve('Ninger')!.engineVoice.model);
  });

  it('falls back to eSpeak NG when no neural speaker has the right language and gender', () => {
    const r = createVoiceResolver({ installed: [...ESPEAK, amy] });
    expect(r.resolve('Abby')!.engineVoice.model).toBe('vits-piper-en_US-amy-low');
    expect(r.resolve('Andy')!.engineVoice).toMatchObject({ engine: 'espeak', model: 'en-us', gender: 'male' });
    expect(r.resolve('Siqi')!.engineVoice).toMatchObject({ engine: 'espeak', model: 'cmn' });
  });

  it('accepts direct pack names by speaker id or by speaker name', () => {
    const byName = resolver.resolve('kokoro-multi-lang-v1_0:zf_xiaobei')!;
    expect(byName.engineVoice).toMatchObject({ engine: 'sherpa', model: 'kokoro-multi-lang-v1_0', speaker: kokoroNames.indexOf('zf_xiaobei') });
    expect(byName.name).toBe(`kokoro-multi-lang-v1_0:${kokoroNames.indexOf('zf_xiaobei')}`);
    expect(resolver.resolve('sherpa:KOKORO-MULTI-LANG-V1_0:45')!.engineVoice.speaker).toBe(45);
    expect(resolver.resolve('vits-piper-en_US-amy-low')!.engineVoice).toEqual(amy);
    expect(resolver.resolve('kokoro-multi-lang-v1_0:999')).toBeNull();
    expect(resolver.resolve('kokoro-multi-lang-v1_0:jf_alpha')).toBeNull(); // not installed in this fake list
  });

  it('lists every catalog name and every installed voice, each reachable by its listed name', () => {
    const list = resolver.list();
    expect(list.filter((m) => m.source !== 'installed')).toHaveLength(44);
    const installedRows = list.filter((m) => m.source === 'installed');
    expect(installedRows).toHaveLength(installed.length);
    for (const row of list) expect(resolver.resolve(row.voice)?.engineVoice, row.voice).toEqual(row.resolved.engineVoice);
  });

  it('maps the same way whatever order the engines list their voices in', () => {
    const shuffled = createVoiceResolver({ installed: [...installed].reverse(), packs });
    for (const cv of loadVoiceCatalog()) expect(shuffled.resolve(cv.id)!.engineVoice, cv.id).toEqual(resolver.resolve(cv.id)!.engineVoice);
  });
});

describe('voice catalog data', () => {
  it('refuses a catalog with a bad entry, naming it', () => {
    expect(() => loadVoiceCatalog({ voices: [{ id: 'X', name: 'x', gender: 'robot' }] })).toThrow(/entry 0 \(X\).*gender/);
    const ok = loadVoiceCatalog().slice(0, 1);
    expect(() => loadVoiceCatalog({ voices: [ok[0], { ...ok[0], id: ok[0].id.toUpperCase() }] })).toThrow(/twice/);
  });
});
