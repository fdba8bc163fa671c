import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fundamentalHz, rms } from '../../test/support/audio-analysis.js';
import type { EngineAudio, EngineVoice, TtsEngine } from './engine.types.js';
import { createEspeakEngine } from './espeak.engine.js';

let engine: TtsEngine;

beforeAll(async () => {
  engine = await createEspeakEngine();
});

afterAll(async () => {
  await engine.close();
});

function voice(model: string, speaker: string): EngineVoice {
  return { engine: 'espeak', model, speaker, languages: model === 'cmn' ? ['zh'] : ['en'], gender: 'female', sampleRate: 22050 };
}

const seconds = (a: EngineAudio): number => a.samples.length / a.sampleRate;

function expectWordsInside(audio: EngineAudio, text: string): void {
  for (let i = 0; i < audio.words.length; i++) {
    const w = audio.words[i];
    expect(w.textOffset + w.textLength).toBeLessThanOrEqual(text.length);
    expect(w.startSample).toBeLessThanOrEqual(audio.samples.length);
    if (i > 0) {
      expect(w.textOffset).toBeGreaterThan(audio.words[i - 1].textOffset);
      expect(w.startSample).toBeGreaterThanOrEqual(audio.words[i - 1].startSample);
    }
  }
}

describe('eSpeak NG engine', () => {
  it('speaks Mandarin: audible, plausible length, one word event per character read', async () => {
    const text = '今天天气很好，我们去公园散步。';
    const audio = await engine.synthesize({ text, voice: voice('cmn', ''), speed: 1 });
    expect(audio.sampleRate).toBe(22050);
    expect(rms(audio.samples)).toBeGreaterThan(0.01);
    // 14 syllables at eSpeak's default rate: roughly 2-6 s.
    expect(seconds(audio)).toBeGreaterThan(2);
    expect(seconds(audio)).toBeLessThan(6);
    expect(audio.words.length).toBeGreaterThanOrEqual(8);
    expectWordsInside(audio, text);
    expect(text.slice(audio.words[0].textOffset, audio.words[0].textOffset + audio.words[0].textLength)).toBe('今');
  });

  it('speaks English with word events at the right offsets', async () => {
    const text = 'The quick brown fox jumps over the lazy dog.';
    const audio = await engine.synthesize({ text, voice: voice('en-us', 'f2'), speed: 1 });
    expect(rms(audio.samples)).toBeGreaterThan(0.01);
    expect(seconds(audio)).toBeGreaterThan(1.5);
    expect(seconds(audio)).toBeLessThan(5);
    const read = audio.words.map((w) => text.slice(w.textOffset, w.textOffset + w.textLength));
    expect(read).toEqual(['The', 'quick', 'brown', 'fox', 'jumps', 'over', 'the', 'lazy', 'dog']);
    expectWordsInside(audio, text);
    expect(audio.words[0].startSample).toBe(0);
    expect(audio.words.at(-1)!.startSample).toBeGreaterThan(audio.samples.length / 2);
  });

  it('reads markup characters as text and maps offsets past surrogate pairs', async () => {
    const text = '😀 Tom & Jerry <3 cats';
    const audio = await engine.synthesize({ text, voice: voice('en-gb', ''), speed: 1 });
    const read = audio.words.map((w) => text.slice(w.textOffset, w.textOffset + w.textLength));
    expect(read).toContain('Tom');
    expect(read).toContain('Jerry');
    expect(read).toContain('cats');
    expectWordsInside(audio, text);
  });

  it('female variants sound higher than male ones, the child variant higher still', async () => {
    const text = 'Hello there, this is a test of the voice pitch.';
    const f0 = async (speaker: string) => fundamentalHz((await engine.synthesize({ text, voice: voice('en-us', speaker), speed: 1 })).samples, 22050);
    const male = await f0('m3');
    const female = await f0('f3');
    const child = await f0('zac');
    expect(male).toBeLessThan(150);
    expect(female).toBeGreaterThan(male * 1.4);
    expect(child).toBeGreaterThan(female * 1.2);
    const zhMale = fundamentalHz((await engine.synthesize({ text: '你好，欢迎收听。', voice: voice('cmn', ''), speed: 1 })).samples, 22050);
    const zhFemale = fundamentalHz((await engine.synthesize({ text: '你好，欢迎收听。', voice: voice('cmn', 'f2'), speed: 1 })).samples, 22050);
    expect(zhFemale).toBeGreaterThan(zhMale * 1.4);
  });

  it('speed 2 about halves the duration, speed 0.5 lengthens it', async () => {
    const text = 'We are going for a long walk in the park this afternoon.';
    const v = voice('en-us', 'm1');
    const normal = seconds(await engine.synthesize({ text, voice: v, speed: 1 }));
    const fast = seconds(await engine.synthesize({ text, voice: v, speed: 2 }));
    const slow = seconds(await engine.synthesize({ text, voice: v, speed: 0.5 }));
    expect(fast / normal).toBeGreaterThan(0.4);
    expect(fast / normal).toBeLessThan(0.6);
    expect(slow / normal).toBeGreaterThan(1.6);
  });

  it('reads numbered and tone-marked pinyin through the Mandarin voices', async () => {
    const v = voice('cmn', 'f1');
    expect(engine.supportsPhonemes(v, 'pinyin')).toBe(true);
    expect(engine.supportsPhonemes(v, 'ipa')).toBe(false);
    expect(engine.supportsPhonemes(voice('en-us', ''), 'pinyin')).toBe(false);
    const numbered = await engine.synthesize({ text: 'ni3 hao3', voice: v, speed: 1, phonemes: 'pinyin' });
    const marked = await engine.synthesize({ text: 'nǐ hǎo', voice: v, speed: 1, phonemes: 'pinyin' });
    expect(rms(numbered.samples)).toBeGreaterThan(0.01);
    // Same syllables, same tones: the same sound (eSpeak varies lengths by a fraction of a percent).
    expect(marked.samples.length / numbered.samples.length).toBeCloseTo(1, 1);
    await expect(engine.synthesize({ text: 'həˈloʊ', voice: voice('en-us', ''), speed: 1, phonemes: 'ipa' })).rejects.toMatchObject({ code: 'SynthesisFailed' });
  });

  it('lists Mandarin and English voices with female, male and child variants', async () => {
    const voices = await engine.listVoices();
    for (const model of ['cmn', 'en-us', 'en-gb']) {
      const genders = new Set(voices.filter((v) => v.model === model).map((v) => v.gender));
      expect([...genders].sort()).toEqual(['child', 'female', 'male']);
    }
    expect(voices.every((v) => v.sampleRate === 22050 && v.engine === 'espeak')).toBe(true);
    expect(voices.find((v) => v.model === 'cmn')!.languages).toEqual(['zh']);
  });

  it('delivers a requested sample rate: length, word positions and loudness of the native audio, converted', async () => {
    // eSpeak adds random noise (aspiration) and carries state from call to call, so only a fresh
    // engine's first call has a known length, and no two calls give the same samples.
    const text = 'Resampled in the engine thread, word for word.';
    const firstCall = async (sampleRate?: number) => {
      const fresh = await createEspeakEngine();
      try {
        return await fresh.synthesize({ text, voice: voice('en-us', 'f2'), speed: 1, sampleRate });
      } finally {
        await fresh.close();
      }
    };
    const native = await firstCall();
    expect(native.sampleRate).toBe(22050);
    for (const rate of [8000, 48000]) {
      const delivered = await firstCall(rate);
      expect(delivered.sampleRate).toBe(rate);
      const scale = rate / native.sampleRate;
      expect(delivered.samples.length).toBe(Math.round(native.samples.length * scale));
      expect(delivered.words.map((w) => w.startSample)).toEqual(native.words.map((w) => Math.round(w.startSample * scale)));
      expect(delivered.words.map((w) => [w.textOffset, w.textLength])).toEqual(native.words.map((w) => [w.textOffset, w.textLength]));
      // Speech energy lies below 4 kHz, so even 8 kHz keeps nearly all of it.
      expect(rms(delivered.samples) / rms(native.samples)).toBeGreaterThan(0.85);
      expect(rms(delivered.samples) / rms(native.samples)).toBeLessThan(1.1);
    }
  });

  it('resamples only when nothing else waits for its thread: queued requests come back at its own rate', async () => {
    // The first takes long enough (about a second of work) that all four are posted before it ends,
    // even on a loaded machine.
    const texts = ['The first of four requests is a long one. '.repeat(12), 'Second of four.', 'Third of four.', 'Fourth of four.'];
    // Posted together: while the first is synthesised, three wait; then two, one, none.
    const results = await Promise.all(texts.map((text) => engine.synthesize({ text, voice: voice('en-us', ''), speed: 1, sampleRate: 16000 })));
    expect(results.map((r) => r.sampleRate)).toEqual([22050, 22050, 16000, 16000]);
  });

  it('rejects an unknown variant or voice, and an aborted request', async () => {
    await expect(engine.synthesize({ text: 'x', voice: voice('en-us', 'nosuch'), speed: 1 })).rejects.toMatchObject({ code: 'SynthesisFailed' });
    await expect(engine.synthesize({ text: 'x', voice: voice('xx-yy', ''), speed: 1 })).rejects.toMatchObject({ code: 'SynthesisFailed' });
    const controller = new AbortController();
    controller.abort();
    await expect(engine.synthesize({ text: 'x', voice: voice('en-us', ''), speed: 1, signal: controller.signal })).rejects.toThrow();
  });

  it('serialises concurrent requests and keeps each one its own settings', async () => {
    const text = 'One two three four five.';
    const [a, b, c] = await Promise.all([
      engine.synthesize({ text, voice: voice('en-us', 'f1'), speed: 2 }),
      engine.synthesize({ text, voice: voice('en-us', 'f1'), speed: 1 }),
      engine.synthesize({ text, voice: voice('en-us', 'f1'), speed: 2 }),
    ]);
    expect(a.samples.length / c.samples.length).toBeCloseTo(1, 1);
    expect(b.samples.length).toBeGreaterThan(a.samples.length * 1.6);
  });
});

describe('several eSpeak threads', () => {
  it('serve concurrent requests from any thread, each with its own voice and rate', async () => {
    const pool = await createEspeakEngine({ threads: 2 });
    try {
      const requests = [
        { text: '你好，世界。', voice: 'cmn', speaker: 'f1', speed: 1 },
        { text: 'Hello there, world.', voice: 'en-us', speaker: 'm1', speed: 1 },
        { text: '你好，世界。', voice: 'cmn', speaker: 'f1', speed: 2 },
        { text: 'Hello there, world.', voice: 'en-us', speaker: 'm1', speed: 2 },
      ];
      const results = await Promise.all(
        requests.map((r) =>
          pool.synthesize({ text: r.text, speed: r.speed, voice: { engine: 'espeak', model: r.voice, speaker: r.speaker, languages: [], gender: 'female', sampleRate: 22050 } }),
        ),
      );
      for (const result of results) expect(Math.max(...result.samples.map(Math.abs))).toBeGreaterThan(0.05);
      // Each request kept its own rate, whichever thread ran it: double speed is about half as long.
      expect(results[2]!.samples.length / results[0]!.samples.length).toBeLessThan(0.7);
      expect(results[3]!.samples.length / results[1]!.samples.length).toBeLessThan(0.7);
    } finally {
      await pool.close();
    }
    await expect(pool.synthesize({ text: 'x', speed: 1, voice: { engine: 'espeak', model: 'en-us', speaker: '', languages: [], gender: 'male', sampleRate: 22050 } })).rejects.toMatchObject({ code: 'SynthesisFailed' });
  });
});
