/**
 * The whole pipeline (text front end → real engine → pitch/volume → resampler → encoder) as a user
 * hears it: formats and rates decode right, rate and pitch do what the docs say, breaks are silent
 * for as long as asked, and the timings line up with the audio.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { createVoices } from '../app/narrate.js';
import { EDITING_DEFAULTS, type EditingConfig } from '../jobs/editing-config.models.js';
import type { AudioFormat } from '../audio/audio.types.js';
import { decodeAudio, findSilences, fundamentalHz, rms } from '../../test/support/audio-analysis.js';
import { makeVoicesDir, writeKokoroPack } from '../../test/support/synthetic-models.js';
import { createSpeechService, type SpeechService } from './speech.service.js';
import type { SentenceTiming } from './speech.types.js';
import type { TtsEngine } from '../engine/engine.types.js';
import { sleep } from '../shared/timers.js';

let voicesDir: string;
let voices: Awaited<ReturnType<typeof createVoices>>;
let speech: SpeechService;

beforeAll(async () => {
  voicesDir = await makeVoicesDir();
  voices = await createVoices({ voicesDir, engineThreads: 1 });
  speech = createSpeechService({ engines: voices.engines, resolver: voices.resolver });
});
afterAll(async () => {
  await voices?.close();
  await rm(voicesDir, { recursive: true, force: true });
});

async function render(text: string, editing: Partial<EditingConfig> = {}, { wordTimings = false } = {}) {
  const plan = speech.prepare({ inputText: text, editing: { ...EDITING_DEFAULTS, ...editing } as EditingConfig });
  const chunks: Uint8Array[] = [];
  const result = await speech.render({ plan, write: async (chunk) => void chunks.push(chunk), wordTimings });
  const bytes = Buffer.concat(chunks);
  if (result.header) bytes.set(result.header, 0);
  const audio = await decodeAudio(new Uint8Array(bytes), plan.format, plan.sampleRate);
  return { plan, result, bytes, audio };
}

function checkTimings(timings: SentenceTiming[], durationMs: number, text: string) {
  expect(timings.length).toBeGreaterThan(0);
  expect(timings[0]!.begin_time).toBe(0);
  for (const [i, t] of timings.entries()) {
    expect(t.end_time).toBeGreaterThan(t.begin_time);
    if (i > 0) expect(t.begin_time).toBe(timings[i - 1]!.end_time);
    expect(t.content).toBe(t.text);
    expect(t.from).toBe(t.begin_time / 1000);
    expect(t.to).toBe(t.end_time / 1000);
  }
  expect(timings.at(-1)!.end_time).toBe(durationMs);
  expect(timings.map((t) => t.text).join('').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
}

const TEXTS = {
  zh: { voice: 'Siqi', text: '说起郭德纲，他现在可以说是红得发紫了。今天是2024年1月5日。' },
  en: { voice: 'Harry', text: 'Speaking of Guo Degang, he is extremely popular now. The meeting starts at 3:30 pm.' },
} as const;

describe.each(Object.entries(TEXTS))('%s: every format and sample rate', (_language, { voice, text }) => {
  const cases = (['mp3', 'wav', 'pcm'] as AudioFormat[]).flatMap((format) => [8000, 16000, 24000, 48000].map((rate) => [format, rate] as const));
  it.each(cases)('%s at %i Hz decodes with that rate, one channel, and the timings' + "' duration", async (format, rate) => {
    const { audio, result } = await render(text, { voice, format: format.toUpperCase() as EditingConfig['format'], sample_rate: rate });
    expect(audio.sampleRate).toBe(rate);
    expect(audio.channels).toBe(1);
    // The encoders are sample-exact (MP3 carries LAME's gapless tag), so the file is exactly as long as the timings say.
    expect(Math.abs(audio.durationMs - result.durationMs)).toBeLessThanOrEqual(1);
    // Plausible for speech: eSpeak reads 3–20 characters a second.
    expect(audio.durationMs).toBeGreaterThan(text.length * 50);
    expect(audio.durationMs).toBeLessThan(text.length * 400);
    expect(rms(audio.samples)).toBeGreaterThan(0.01);
    checkTimings(result.timings, result.durationMs, text);
  });
});

describe('speech_rate', () => {
  it.each(Object.entries(TEXTS).map(([language, value]) => [language, value] as const))('%s: +500 halves and -500 doubles the duration (within 15 percent)', async (_language, { voice, text }) => {
    const normal = (await render(text, { voice, format: 'WAV' })).audio.durationMs;
    const fast = (await render(text, { voice, format: 'WAV', speech_rate: 500 })).audio.durationMs;
    const slow = (await render(text, { voice, format: 'WAV', speech_rate: -500 })).audio.durationMs;
    expect(fast / normal).toBeGreaterThan(0.5 * 0.85);
    expect(fast / normal).toBeLessThan(0.5 * 1.15);
    expect(slow / normal).toBeGreaterThan(2 * 0.85);
    expect(slow / normal).toBeLessThan(2 * 1.15);
  });
});

describe('pitch_rate', () => {
  // Decision: the speech-rate curve applied to frequency: ±500 = an octave, ±250 = ×4/3 and ×2/3.
  it.each([
    [500, 2],
    [250, 4 / 3],
    [-250, 2 / 3],
    [-500, 0.5],
  ])('pitch_rate %i moves the fundamental by ×%d (within 15 percent) and the duration by under 5 percent', async (pitchRate, ratio) => {
    const { voice, text } = TEXTS.zh;
    const base = await render(text, { voice, format: 'WAV', sample_rate: 24000 });
    const shifted = await render(text, { voice, format: 'WAV', sample_rate: 24000, pitch_rate: pitchRate });
    const f0 = fundamentalHz(base.audio.samples, 24000, { minHz: 50 });
    const f1 = fundamentalHz(shifted.audio.samples, 24000, { minHz: 50, maxHz: 1000 });
    expect(f1 / f0).toBeGreaterThan(ratio * 0.85);
    expect(f1 / f0).toBeLessThan(ratio * 1.15);
    expect(Math.abs(shifted.audio.durationMs / base.audio.durationMs - 1)).toBeLessThan(0.05);
  });
});

/** Samples at the 16-bit rail: where the audio was clipped on its way to the file. */
function atRail(samples: Float32Array): number {
  return samples.filter((x) => Math.abs(x) >= 32767 / 32768).length;
}

describe('volume', () => {
  it('at the default volume nothing reaches full scale, at any output rate (resampling overshoot is limited too)', async () => {
    // eSpeak's Mandarin peaks close to full scale; the resampler used to overshoot them after the
    // limiter had run, and the 16-bit conversion clipped what stuck out.
    for (const sampleRate of [8000, 16000, 48000]) {
      const { audio } = await render(TEXTS.zh.text, { voice: 'Xiaoyun', format: 'WAV', sample_rate: sampleRate });
      expect(atRail(audio.samples), `${sampleRate} Hz`).toBe(0);
    }
  });

  it('at volume 100 a voice that peaks near full scale stays off the rail at every rate, pitch and speed', async () => {
    // Xiaoyun's Mandarin peaks at ~0.98: doubled, the old sample-wise limiter squared those peaks
    // off against full scale (up to ~750 samples of a sentence at ±32767, runs of 24 in a row).
    for (const sampleRate of [8000, 16000, 24000, 48000]) {
      for (const [pitch_rate, speech_rate] of [[0, 0], [-500, -500], [500, 500]] as const) {
        const { audio } = await render(TEXTS.zh.text, { voice: 'Xiaoyun', format: 'WAV', sample_rate: sampleRate, volume: 100, pitch_rate, speech_rate });
        expect(atRail(audio.samples), `${sampleRate} Hz, pitch ${pitch_rate}, rate ${speech_rate}`).toBe(0);
      }
    }
  });

  it('RMS rises with every step from 0 to 100; 0 is silence; nothing clips', async () => {
    const levels: number[] = [];
    for (const volume of [0, 20, 40, 50, 60, 80, 100]) {
      const { audio } = await render(TEXTS.en.text, { voice: 'Harry', format: 'WAV', volume });
      levels.push(rms(audio.samples));
      expect(Math.max(...audio.samples.map(Math.abs))).toBeLessThanOrEqual(1);
    }
    expect(levels[0]).toBe(0);
    for (let i = 1; i < levels.length; i++) expect(levels[i]).toBeGreaterThan(levels[i - 1]!);
  });
});

describe('pauses between sentences', () => {
  /** Length (ms) of the silence (below −50 dBFS) that holds the boundary at `ms`, 0 if none. */
  function gapAt(audio: { samples: Float32Array; sampleRate: number }, ms: number): number {
    const silence = findSilences(audio.samples, audio.sampleRate, { thresholdDb: -50, minMs: 10 }).find((s) => s.startMs <= ms + 10 && s.endMs >= ms - 10);
    return silence ? silence.endMs - silence.startMs : 0;
  }

  // Each sentence is synthesised alone, and an engine ends a call without the pause it makes
  // inside one (eSpeak: ~170 ms after a comma, ~320 ms after a stop): the sentences used to run
  // into each other with 20–50 ms between them.
  it.each(Object.entries(TEXTS).map(([language, value]) => [language, value] as const))('%s: a comma leaves ~170 ms and a full stop ~320 ms, as one engine call would', async (_language, { voice, text }) => {
    const { audio, result } = await render(text, { voice, format: 'WAV', sample_rate: 16000 });
    const [afterComma, afterStop] = result.timings.slice(1).map((t) => gapAt(audio, t.begin_time));
    expect(afterComma).toBeGreaterThan(140);
    expect(afterComma).toBeLessThan(260);
    expect(afterStop).toBeGreaterThan(280);
    expect(afterStop).toBeLessThan(420);
  });

  it('the pauses follow speech_rate: +500 halves them, -500 doubles them', async () => {
    const { voice, text } = TEXTS.en;
    const gaps = async (speech_rate: number) => {
      const { audio, result } = await render(text, { voice, format: 'WAV', speech_rate });
      return gapAt(audio, result.timings[2]!.begin_time);
    };
    const [normal, fast, slow] = [await gaps(0), await gaps(500), await gaps(-500)];
    expect(fast / normal).toBeGreaterThan(0.5 * 0.75);
    expect(fast / normal).toBeLessThan(0.5 * 1.25);
    expect(slow / normal).toBeGreaterThan(2 * 0.75);
    expect(slow / normal).toBeLessThan(2 * 1.25);
  });

  it('an SSML <s> or <p> ends a sentence with a sentence\'s pause even without a full stop', async () => {
    const { audio, result } = await render('<speak><s>Hello there</s><p>And here we are</p>The end.</speak>', { voice: 'Harry', format: 'WAV' });
    expect(result.timings.map((t) => t.text)).toEqual(['Hello there', 'And here we are', 'The end.']);
    for (const timing of result.timings.slice(1)) {
      const gap = gapAt(audio, timing.begin_time);
      expect(gap).toBeGreaterThan(280);
      expect(gap).toBeLessThan(420);
    }
  });

  it('a <break> is the whole pause: nothing is added next to it, and none after the last sentence', async () => {
    const { audio, result } = await render('<speak>Hello.<break time="100ms"/>World.</speak>', { voice: 'Harry', format: 'WAV' });
    const gap = gapAt(audio, result.timings[1]!.begin_time);
    expect(gap).toBeGreaterThan(90);
    expect(gap).toBeLessThan(180);
    const tail = findSilences(audio.samples, audio.sampleRate, { thresholdDb: -50, minMs: 10 }).at(-1);
    expect(tail && Math.abs(tail.endMs - audio.durationMs) < 1 ? tail.endMs - tail.startMs : 0).toBeLessThan(60);
  });
});

describe('SSML through the pipeline', () => {
  it('<break time="1500ms"/> yields that much silence (±100 ms)', async () => {
    const { audio } = await render('<speak>我们休息一下，<break time="1500ms"/>然后继续。</speak>', { voice: 'Siqi', format: 'WAV' });
    const silences = findSilences(audio.samples, audio.sampleRate, { thresholdDb: -50, minMs: 800 });
    expect(silences).toHaveLength(1);
    // eSpeak adds its own short pause around the comma, so the silence is the break plus at most that.
    const length = silences[0]!.endMs - silences[0]!.startMs;
    expect(length).toBeGreaterThan(1500 - 100);
    expect(length).toBeLessThan(1500 + 100 + 250);
  });

  it('the timings of SSML report the spoken text, and <sub> shows its content while reading the alias', async () => {
    const text = '<speak>欢迎使用<sub alias="世界贸易组织">WTO</sub>。<s>Second sentence</s></speak>';
    const { result } = await render(text, { voice: 'Siqi', format: 'WAV' });
    checkTimings(result.timings, result.durationMs, '欢迎使用WTO。Second sentence');
  });

  it('<speak> attributes override EditingConfig: format, rate and voice', async () => {
    const { plan, audio } = await render('<speak voice="harry" encodeType="WAV" sampleRate="8000">Hello.</speak>', { voice: 'Siqi', format: 'MP3', sample_rate: 16000 });
    expect(plan.format).toBe('wav');
    expect(plan.voice.name).toBe('Harry');
    expect(audio.sampleRate).toBe(8000);
  });
});

describe('word timings', () => {
  // eSpeak reports words in the text it read: 说起 came back as 说, 可以 as 可, "2024年" as
  // 二零二四年, a <sub> as its alias, and no punctuation, so the words did not give the sentence back.
  it.each([
    ['Siqi', '说起郭德纲，他现在可以说是红得发紫了。今天是2024年1月5日。', ['说起', '可以', '2024', '1', '5', '日。']],
    ['Siqi', '<speak>欢迎使用<sub alias="世界贸易组织">WTO</sub>。电话<say-as interpret-as="digits">12345</say-as>，日期<say-as interpret-as="date">2024-01-05</say-as>。</speak>', ['WTO。', '12345，', '2024-01-05。']],
    ['Harry', '“Speaking of Guo Degang,” he said. It costs $3.99 at 3:30 pm.', ['“Speaking', 'Degang,”', '$3.99', 'at', '3:30 pm.']],
  ])('%s: the words show what was written and, joined, give each sentence back: %s', async (voice, text, expected) => {
    const { result } = await render(text, { voice, format: 'WAV' }, { wordTimings: true });
    const words = result.timings.flatMap((t) => t.words!);
    for (const word of expected) expect(words.map((w) => w.text)).toContain(word);
    for (const timing of result.timings) {
      expect(timing.words!.map((w) => w.text).join('').replace(/\s+/g, '')).toBe(timing.text.replace(/\s+/g, ''));
      for (const [i, word] of timing.words!.entries()) {
        expect(word.begin_time).toBeGreaterThanOrEqual(i === 0 ? timing.begin_time : timing.words![i - 1]!.end_time);
        expect(word.end_time).toBeGreaterThan(word.begin_time);
        expect(word.end_time).toBeLessThanOrEqual(timing.end_time);
      }
    }
  });
});

describe('where the sound is (spoken spans, for subtitles)', () => {
  it('each sentence\'s spoken span holds all its sound, and none of a <break> or the pause after it', async () => {
    const text = '<speak><break time="2s"/>Hello there. How are you?<break time="3s"/>Fine, thanks.<break time="2s"/></speak>';
    const { audio, result } = await render(text, { voice: 'Harry', format: 'WAV' });
    const spans = result.spoken!;
    expect(spans).toHaveLength(result.timings.length);
    // 10 ms frames: every loud one lies inside a spoken span (give or take a frame), and each span
    // starts and ends with sound.
    const frame = audio.sampleRate / 100;
    const threshold = 10 ** (-50 / 20);
    for (let start = 0; start + frame <= audio.samples.length; start += frame) {
      if (rms(audio.samples.subarray(start, start + frame)) < threshold) continue;
      const ms = (start * 1000) / audio.sampleRate;
      expect(spans.some((span) => span && ms >= span.begin_time - 10 && ms + 10 <= span.end_time + 10), `sound at ${ms} ms`).toBe(true);
    }
    for (const [i, span] of spans.entries()) {
      expect(span!.begin_time).toBeGreaterThanOrEqual(result.timings[i]!.begin_time);
      expect(span!.end_time).toBeLessThanOrEqual(result.timings[i]!.end_time);
    }
    // The leading break and the 3 s break are outside the spans.
    expect(spans[0]!.begin_time).toBeGreaterThanOrEqual(2000);
    expect(result.timings[1]!.end_time - spans[1]!.end_time).toBeGreaterThanOrEqual(3000);
    expect(result.durationMs - spans.at(-1)!.end_time).toBeGreaterThanOrEqual(2000);
  });
});

describe('where pieces are resampled', () => {
  it('leaves resampling to the engine thread while the encoding side is the slower one, with well-formed audio and timings', async () => {
    // The real eSpeak engine, with each request's asked-for and delivered rate noted.
    const asked: Array<{ requested?: number; delivered: number }> = [];
    const espeak = voices.engines.espeak!;
    const noting: TtsEngine = {
      ...espeak,
      id: espeak.id,
      listVoices: () => espeak.listVoices(),
      supportsPhonemes: (voice, alphabet) => espeak.supportsPhonemes(voice, alphabet),
      close: async () => {},
      async synthesize(request) {
        const audio = await espeak.synthesize(request);
        asked.push({ requested: request.sampleRate, delivered: audio.sampleRate });
        return audio;
      },
    };
    const pipeline = createSpeechService({ engines: { espeak: noting }, resolver: voices.resolver });
    const text = 'One. Two. Three. Four. Five. Six. Seven. Eight. Nine. Ten. Eleven. Twelve.';
    const plan = pipeline.prepare({ inputText: text, editing: { ...EDITING_DEFAULTS, voice: 'Harry', format: 'WAV', sample_rate: 8000 } as EditingConfig });
    const chunks: Uint8Array[] = [];
    // A writer slower than the engine: finished pieces wait, so the engine should take the resampling.
    const result = await pipeline.render({
      plan,
      write: async (chunk) => {
        chunks.push(chunk);
        await sleep(100);
      },
    });
    // Every piece asks. The first three were posted together (the first may have had others
    // waiting behind it); after them, the engine waits for this side (one piece per slow write)
    // and resamples every piece itself.
    expect(asked.every((a) => a.requested === 8000)).toBe(true);
    expect(asked.length).toBeGreaterThan(6);
    expect(asked.slice(3).map((a) => a.delivered)).toEqual(asked.slice(3).map(() => 8000));
    checkTimings(result.timings, result.durationMs, text);
    const bytes = Buffer.concat(chunks);
    bytes.set(result.header!, 0);
    const audio = await decodeAudio(new Uint8Array(bytes), 'wav', 8000);
    expect(audio.sampleRate).toBe(8000);
    expect(audio.samples.length).toBe(result.samples);
    // Every sentence is spoken: each timing span holds audible sound.
    for (const timing of result.timings) {
      const span = audio.samples.subarray(Math.round((timing.begin_time * 8000) / 1000), Math.round((timing.end_time * 8000) / 1000));
      expect(rms(span)).toBeGreaterThan(0.01);
    }
  });
});

describe('neural voices (synthetic Kokoro pack) through the pipeline', () => {
  it('maps Siqi to a Chinese female speaker, and the timings are the engine sample counts resampled exactly', async () => {
    const dir = await makeVoicesDir();
    try {
      await writeKokoroPack({ voicesDir: dir, packName: 'kokoro-multi-lang-v1_0', speakerNames: ['af_heart', 'zf_xiaobei', 'zm_yunjian'], sampleRate: 24000 });
      const neural = await createVoices({ voicesDir: dir, engineThreads: 1 });
      try {
        const pipeline = createSpeechService({ engines: neural.engines, resolver: neural.resolver });
        const siqi = neural.resolver().resolve('Siqi')!;
        expect(siqi.engineVoice).toMatchObject({ engine: 'sherpa', model: 'kokoro-multi-lang-v1_0', speaker: 1 });
        expect(neural.resolver().resolve('Xiaogang')!.engineVoice.speaker).toBe(2);

        const text = '你好，世界。再见！';
        const plan = pipeline.prepare({ inputText: text, editing: { ...EDITING_DEFAULTS, voice: 'Siqi', format: 'WAV', sample_rate: 16000 } as EditingConfig });
        const chunks: Uint8Array[] = [];
        const result = await pipeline.render({ plan, write: async (c) => void chunks.push(c) });
        const bytes = Buffer.concat(chunks);
        bytes.set(result.header!, 0);
        const audio = await decodeAudio(new Uint8Array(bytes), 'wav');
        // The same engine, called directly on each segment: the pipeline's boundaries must be these
        // lengths, resampled 24 k → 16 k, each followed (but the last) by the digital silence of
        // the pause its punctuation asks for, at most 170 ms after a comma and 320 ms after a stop.
        let position = 0;
        for (const [i, segment] of plan.parsed.segments.entries()) {
          let engineSamples = 0;
          for (const piece of segment.pieces) {
            if (piece.kind === 'text') engineSamples += (await neural.engines.sherpa.synthesize({ text: piece.text, voice: siqi.engineVoice, speed: 1 })).samples.length;
          }
          const begin = position;
          position += Math.round((engineSamples * 16000) / 24000);
          if (i < plan.parsed.segments.length - 1) {
            let pause = 0;
            while (audio.samples[position + pause] === 0) pause++;
            expect(pause).toBeGreaterThan(0);
            expect(pause).toBeLessThanOrEqual((i === 0 ? 170 : 320) * 16);
            position += pause;
          }
          expect(result.timings[i]!.begin_time).toBe(Math.round((begin * 1000) / 16000));
          expect(result.timings[i]!.end_time).toBe(Math.round((position * 1000) / 16000));
        }
        expect(result.samples).toBe(position);
        expect(audio.samples.length).toBe(position);
      } finally {
        await neural.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('check (submit-time validation)', () => {
  const editing = (overrides: Partial<EditingConfig> = {}) => ({ ...EDITING_DEFAULTS, voice: 'Siqi', ...overrides }) as EditingConfig;
  const codeOf = (fn: () => unknown): string | undefined => {
    try {
      fn();
      return undefined;
    } catch (error) {
      return (error as { code?: string }).code;
    }
  };

  it('refuses exactly what prepare refuses, with the same codes', () => {
    const inputs: Array<[string, Partial<EditingConfig>]> = [
      ['   ', {}],
      ['长'.repeat(10_001), {}],
      ['长'.repeat(10_000), {}],
      ['你好。', { voice: 'Nobody' }],
      ['<speak>你好<break time="oops"/></speak>', {}],
      ['<speak><unknown>x</unknown></speak>', {}],
      ['<speak voice="Nobody">hello</speak>', {}],
      ['<speak>' + 'a'.repeat(10_001) + '</speak>', {}],
      ['<speak><break time="500ms"/></speak>', {}],
      ['Plain text with 3 numbers, 2024-01-05 and <angle> brackets.', {}],
    ];
    for (const [text, overrides] of inputs) {
      expect(codeOf(() => speech.check({ inputText: text, editing: editing(overrides) })), text.slice(0, 40)).toBe(
        codeOf(() => speech.prepare({ inputText: text, editing: editing(overrides) })),
      );
    }
    expect(codeOf(() => speech.check({ inputText: '长'.repeat(10_001), editing: editing() }))).toBe('InvalidParameter.TextTooLong');
  });

  it('returns the settings prepare would use, <speak> overrides included', () => {
    for (const text of ['你好，世界。', '<speak voice="Harry" rate="200" encodeType="wav" sampleRate="24000" volume="80">Hello.</speak>']) {
      const { voice, format, sampleRate, volume, speechRate, pitchRate } = speech.prepare({ inputText: text, editing: editing() });
      expect(speech.check({ inputText: text, editing: editing() })).toEqual({ voice, format, sampleRate, volume, speechRate, pitchRate });
    }
  });
});
