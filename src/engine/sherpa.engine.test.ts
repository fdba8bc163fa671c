import { rm, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAppError } from '../shared/errors.js';
import { BASE_SAMPLES, decodeTones, makeVoicesDir, speakerAmplitude, writeKokoroPack, writeMatchaPack, writePiperPack } from '../../test/support/synthetic-models.js';
import type { EngineVoice, TtsEngine } from './engine.types.js';
import { createSherpaEngine } from './sherpa.engine.js';

let voicesDir: string;
let engine: TtsEngine;

beforeAll(async () => {
  voicesDir = await makeVoicesDir();
  await writePiperPack({ voicesDir, name: 'en_US-amy-low', numSpeakers: 1, sampleRate: 16000 });
  await writePiperPack({ voicesDir, name: 'en_US-libritts_r-medium', numSpeakers: 3, sampleRate: 22050 });
  await writeKokoroPack({ voicesDir, speakerNames: ['af_heart', 'am_adam', 'zf_xiaobei', 'jf_alpha'], sampleRate: 24000 });
  await writeMatchaPack({ voicesDir, numSpeakers: 2, sampleRate: 22050 });
  engine = createSherpaEngine({ voicesDir, numThreads: 1 });
});

afterAll(async () => {
  await engine.close();
  await rm(voicesDir, { recursive: true, force: true });
});

function voice(model: string, speaker: number, sampleRate: number): EngineVoice {
  return { engine: 'sherpa', model, speaker, languages: ['en'], gender: 'female', sampleRate };
}

describe('sherpa engine with synthetic packs', () => {
  it('lists one voice per speaker with the model sample rate, languages and gender', async () => {
    const voices = await engine.listVoices();
    const summary = voices.map((v) => `${v.model}#${v.speaker} ${v.sampleRate} ${v.languages.join('+')} ${v.gender}`);
    expect(summary).toEqual([
      'kokoro-en-v0_19#0 24000 en female',
      'kokoro-en-v0_19#1 24000 en male',
      'kokoro-en-v0_19#2 24000 zh female',
      // jf_alpha (Japanese) is left out: the service speaks zh and en only.
      'matcha-icefall-en_US-ljspeech#0 22050 en female',
      'matcha-icefall-en_US-ljspeech#1 22050 en female',
      'vits-piper-en_US-amy-low#0 16000 en female',
      'vits-piper-en_US-libritts_r-medium#0 22050 en female',
      'vits-piper-en_US-libritts_r-medium#1 22050 en female',
      'vits-piper-en_US-libritts_r-medium#2 22050 en female',
    ]);
  });

  it('Piper: every token becomes exactly BASE_SAMPLES of its tone at the model rate', async () => {
    const audio = await engine.synthesize({ text: 'Hello world.', voice: voice('vits-piper-en_US-amy-low', 0, 16000), speed: 1 });
    expect(audio.sampleRate).toBe(16000);
    expect(audio.samples.length % BASE_SAMPLES).toBe(0);
    const { classes, maxError } = decodeTones({ samples: audio.samples, samplesPerToken: BASE_SAMPLES, sampleRate: 16000, sid: 0 });
    expect(maxError).toBeLessThan(1e-4);
    // Piper's sequence: bos ^ (id 1), then phonemes interspersed with pad _ (id 0), eos $ (id 2).
    expect(classes[0]).toBe(1);
    expect(classes.at(-1)).toBe(2);
    expect(classes.filter((_, i) => i % 2 === 1).every((c) => c === 0)).toBe(true);
    expect(classes.length).toBeGreaterThan(10);
    expect(audio.words).toEqual([]);
  });

  it('speed 2 halves and speed 0.5 doubles the length exactly', async () => {
    const v = voice('vits-piper-en_US-amy-low', 0, 16000);
    const normal = await engine.synthesize({ text: 'Speed test.', voice: v, speed: 1 });
    const fast = await engine.synthesize({ text: 'Speed test.', voice: v, speed: 2 });
    const slow = await engine.synthesize({ text: 'Speed test.', voice: v, speed: 0.5 });
    expect(fast.samples.length * 2).toBe(normal.samples.length);
    expect(slow.samples.length).toBe(normal.samples.length * 2);
    expect(decodeTones({ samples: fast.samples, samplesPerToken: BASE_SAMPLES / 2, sampleRate: 16000, sid: 0 }).maxError).toBeLessThan(1e-4);
  });

  it('selects the speaker of a multi-speaker Piper pack', async () => {
    for (const sid of [0, 2]) {
      const audio = await engine.synthesize({ text: 'Hi.', voice: voice('vits-piper-en_US-libritts_r-medium', sid, 22050), speed: 1 });
      expect(audio.sampleRate).toBe(22050);
      const decoded = decodeTones({ samples: audio.samples, samplesPerToken: BASE_SAMPLES, sampleRate: 22050, sid });
      expect(decoded.maxError).toBeLessThan(1e-4);
      expect(Math.max(...audio.samples.map(Math.abs))).toBeCloseTo(speakerAmplitude(sid), 2);
    }
  });

  it('Kokoro: style vector per speaker from voices.bin, speed through the model input', async () => {
    const one = await engine.synthesize({ text: 'Hello world.', voice: voice('kokoro-en-v0_19', 1, 24000), speed: 1 });
    expect(one.sampleRate).toBe(24000);
    const decoded = decodeTones({ samples: one.samples, samplesPerToken: BASE_SAMPLES, sampleRate: 24000, sid: 1 });
    expect(decoded.maxError).toBeLessThan(1e-4);
    // Kokoro wraps the phonemes in a 0 token at each end.
    expect(decoded.classes[0]).toBe(0);
    expect(decoded.classes.at(-1)).toBe(0);
    const fast = await engine.synthesize({ text: 'Hello world.', voice: voice('kokoro-en-v0_19', 1, 24000), speed: 2 });
    expect(fast.samples.length * 2).toBe(one.samples.length);
  });

  it('Matcha: acoustic model plus the vocoder installed next to the packs, speaker and speed', async () => {
    const model = 'matcha-icefall-en_US-ljspeech';
    const a = await engine.synthesize({ text: 'Hello world.', voice: voice(model, 1, 22050), speed: 1 });
    expect(a.sampleRate).toBe(22050);
    const decoded = decodeTones({ samples: a.samples, samplesPerToken: BASE_SAMPLES, sampleRate: 22050, sid: 1 });
    expect(decoded.maxError).toBeLessThan(1e-4);
    expect(a.samples.length).toBe(decoded.classes.length * BASE_SAMPLES);
    const fast = await engine.synthesize({ text: 'Hello world.', voice: voice(model, 0, 22050), speed: 2 });
    expect(fast.samples.length * 2).toBe(a.samples.length);
  });

  it('serves concurrent requests to one pack, each with its own result', async () => {
    const v = voice('vits-piper-en_US-libritts_r-medium', 1, 22050);
    const texts = ['One.', 'Two words.', 'Three words here.', 'One.'];
    const results = await Promise.all(texts.map((text) => engine.synthesize({ text, voice: v, speed: 1 })));
    expect(results[0].samples.length).toBe(results[3].samples.length);
    expect(results[2].samples.length).toBeGreaterThan(results[1].samples.length);
    expect(results[1].samples.length).toBeGreaterThan(results[0].samples.length);
  });

  it('rejects a speaker the pack does not have, and phoneme input', async () => {
    await expect(engine.synthesize({ text: 'x', voice: voice('vits-piper-en_US-amy-low', 3, 16000), speed: 1 })).rejects.toMatchObject({ code: 'SynthesisFailed' });
    await expect(engine.synthesize({ text: 'ni3', voice: voice('vits-piper-en_US-amy-low', 0, 16000), speed: 1, phonemes: 'pinyin' })).rejects.toMatchObject({
      code: 'SynthesisFailed',
    });
    expect(engine.supportsPhonemes(voice('vits-piper-en_US-amy-low', 0, 16000), 'ipa')).toBe(false);
  });

  it('honours an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(engine.synthesize({ text: 'x', voice: voice('vits-piper-en_US-amy-low', 0, 16000), speed: 1, signal: controller.signal })).rejects.toThrow();
  });
});

describe('sherpa engine with broken packs', () => {
  it('names the pack and the missing file', async () => {
    const dir = await makeVoicesDir();
    try {
      const { packDir, packName } = await writePiperPack({ voicesDir: dir, name: 'en_GB-alan-low' });
      await unlink(join(packDir, 'tokens.txt'));
      const broken = createSherpaEngine({ voicesDir: dir });
      const error = await broken.synthesize({ text: 'Hello.', voice: voice(packName, 0, 16000), speed: 1 }).catch((e: unknown) => e);
      expect(isAppError(error)).toBe(true);
      expect(error).toMatchObject({ code: 'SynthesisFailed', isInternal: false });
      expect((error as Error).message).toContain('vits-piper-en_GB-alan-low');
      expect((error as Error).message).toContain('tokens.txt');
      // A broken pack is not listed, and does not hide the others.
      expect(await broken.listVoices()).toEqual([]);
      await broken.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a Kokoro voices.bin that does not match the model', async () => {
    const dir = await makeVoicesDir();
    try {
      const { packDir, packName } = await writeKokoroPack({ voicesDir: dir });
      await writeFile(join(packDir, 'voices.bin'), new Uint8Array(12));
      const broken = createSherpaEngine({ voicesDir: dir });
      await expect(broken.synthesize({ text: 'Hello.', voice: voice(packName, 0, 24000), speed: 1 })).rejects.toThrow(/voices\.bin/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a Matcha pack without a vocoder', async () => {
    const dir = await makeVoicesDir();
    try {
      const { packName } = await writeMatchaPack({ voicesDir: dir, withVocoder: false });
      const broken = createSherpaEngine({ voicesDir: dir });
      await expect(broken.synthesize({ text: 'Hello.', voice: voice(packName, 0, 22050), speed: 1 })).rejects.toThrow(/vocoder/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports a pack that is not installed', async () => {
    const e = createSherpaEngine({ voicesDir: '/nonexistent-narrate-voices' });
    expect(await e.listVoices()).toEqual([]);
    await expect(e.synthesize({ text: 'x', voice: voice('vits-piper-x', 0, 16000), speed: 1 })).rejects.toThrow(/not installed/);
  });
});
