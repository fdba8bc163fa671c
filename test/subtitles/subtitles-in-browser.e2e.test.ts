/**
 * Subtitles as players read them: a real render (eSpeak through the whole speech pipeline) gives the
 * sentence timings, Narrate writes SRT and WebVTT from them, and the WebVTT is loaded as a <track> in
 * Chromium, whose parser is the strictest reader at hand; the SRT is read by the `subtitle` package.
 * The input holds what these formats treat as markup (& < > and an arrow), numbers and a web address
 * near the line width, and long sentences that must become several cues.
 */
import { rm } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { parseSync, type NodeCue } from 'subtitle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createVoices } from '../../src/app/narrate.js';
import { EDITING_DEFAULTS, type EditingConfig } from '../../src/jobs/editing-config.models.js';
import { createSpeechService, type SpeechService } from '../../src/speech/speech.service.js';
import { buildCues, displayWidth, type Cue } from '../../src/subtitles/subtitle-cues.models.js';
import { toSrt, toVtt } from '../../src/subtitles/subtitle-formats.models.js';
import { launchChromium } from '../console/chromium.js';
import { makeVoicesDir } from '../support/synthetic-models.js';

let voicesDir: string;
let voices: Awaited<ReturnType<typeof createVoices>>;
let speech: SpeechService;
let browser: Browser;

beforeAll(async () => {
  voicesDir = await makeVoicesDir();
  voices = await createVoices({ voicesDir, engineThreads: 1 });
  speech = createSpeechService({ engines: voices.engines, resolver: voices.resolver });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await voices?.close();
  if (voicesDir) await rm(voicesDir, { recursive: true, force: true });
});

async function cuesFor(inputText: string, voice: string): Promise<{ cues: Cue[]; durationMs: number }> {
  const plan = speech.prepare({ inputText, editing: { ...EDITING_DEFAULTS, voice, format: 'WAV' } as EditingConfig });
  const result = await speech.render({ plan, write: async () => {} });
  return { cues: buildCues(result.timings), durationMs: result.durationMs };
}

interface BrowserCue {
  id: string;
  startMs: number;
  endMs: number;
  /** What the viewer sees: the cue's text with WebVTT markup and character references resolved. */
  shown: string;
}

/** Loads the WebVTT text as a <track> of a <video> and returns the cues Chromium parsed from it. */
async function cuesInChromium(vtt: string): Promise<BrowserCue[]> {
  const page = await browser.newPage();
  try {
    await page.setContent('<video></video>');
    return await page.evaluate(async (text) => {
      const video = document.querySelector('video')!;
      const element = document.createElement('track');
      element.kind = 'subtitles';
      element.src = URL.createObjectURL(new Blob([text], { type: 'text/vtt' }));
      video.appendChild(element);
      element.track.mode = 'hidden';
      await new Promise((resolve, reject) => {
        element.addEventListener('load', resolve);
        element.addEventListener('error', () => reject(new Error('Chromium refused the WebVTT file')));
      });
      return [...(element.track.cues ?? [])].map((cue) => {
        const vttCue = cue as VTTCue;
        const fragment = vttCue.getCueAsHTML();
        // A line break in cue text is a text node "\n"; markup (<b>, <c>) would add elements.
        const shown = [...fragment.childNodes].map((node) => (node.nodeType === Node.TEXT_NODE ? node.textContent : `<${node.nodeName}>`)).join('');
        return { id: vttCue.id, startMs: Math.round(vttCue.startTime * 1000), endMs: Math.round(vttCue.endTime * 1000), shown };
      });
    }, vtt);
  } finally {
    await page.close();
  }
}

const srtCues = (text: string) => parseSync(text).filter((node): node is NodeCue => node.type === 'cue');

function expectReadableCues(cues: readonly Cue[], durationMs: number) {
  expect(cues.length).toBeGreaterThan(0);
  for (const [i, cue] of cues.entries()) {
    expect(cue.index).toBe(i + 1);
    expect(cue.endMs).toBeGreaterThan(cue.startMs);
    expect(cue.endMs).toBeLessThanOrEqual(durationMs);
    if (i > 0) expect(cue.startMs).toBeGreaterThanOrEqual(cues[i - 1]!.endMs);
    const lines = cue.text.split('\n');
    expect(lines.length).toBeLessThanOrEqual(2);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(42);
  }
}

describe('subtitles read back by real parsers', () => {
  const ENGLISH =
    '<speak>Tom &amp; Jerry agree that 1 &lt; 2 &gt; 0, so the arrow --&gt; points right. ' +
    'A tag written as text, &lt;b&gt;bold&lt;/b&gt;, must show as typed. ' +
    'The company reported revenue of 1,234,567 dollars for the year, which is up 3.14 percent from last year and more than anyone expected. ' +
    'Please visit www.example.com/path/to/page for more information about the product today.</speak>';

  it('WebVTT: Chromium parses every cue, with its times and exactly the text that was spoken', async () => {
    const { cues, durationMs } = await cuesFor(ENGLISH, 'Harry');
    expectReadableCues(cues, durationMs);
    const parsed = await cuesInChromium(toVtt(cues));
    expect(parsed).toEqual(cues.map((cue) => ({ id: String(cue.index), startMs: cue.startMs, endMs: cue.endMs, shown: cue.text })));
    const shown = parsed.map((cue) => cue.shown).join(' ');
    expect(shown).toContain('Tom & Jerry agree that 1 < 2 > 0');
    expect(shown).toContain('--> points right');
    expect(shown).toContain('<b>bold</b>');
  });

  it('long sentences are split between words, never inside a number or a web address', async () => {
    const { cues } = await cuesFor(ENGLISH, 'Harry');
    const lines = cues.flatMap((cue) => cue.text.split('\n'));
    for (const token of ['1,234,567', '3.14', 'www.example.com/path/to/page']) {
      expect(lines.some((line) => line.includes(token)), `${token} on one line of ${JSON.stringify(lines)}`).toBe(true);
    }
  });

  it('SRT: numbered cues with comma milliseconds that a subtitle parser reads back whole', async () => {
    const { cues, durationMs } = await cuesFor(ENGLISH, 'Harry');
    const srt = toSrt(cues);
    expect(srt).toMatch(/^1\n\d{2}:\d{2}:\d{2},\d{3} --> \d{2}:\d{2}:\d{2},\d{3}\n/);
    const parsed = srtCues(srt);
    expect(parsed.map((node) => [node.data.start, node.data.end])).toEqual(cues.map((cue) => [cue.startMs, cue.endMs]));
    // Exactly one "-->" per cue: the timing line's. An arrow in the text must not look like another timing line.
    expect(srt.split('\n').filter((line) => line.includes('-->'))).toHaveLength(cues.length);
    expect(parsed.at(-1)!.data.end).toBeLessThanOrEqual(durationMs);
    expect(parsed.map((node) => node.data.text).join(' ')).toContain('Tom & Jerry agree that 1 < 2 > 0');
  });

  it('Chinese: a long sentence becomes several cues of at most two lines, all parsed by Chromium', async () => {
    const text = '今天天气很好，我们一起去公园散步吧，然后在湖边坐一会儿，看看水里的鱼，再回家吃晚饭，顺便买一点水果和蔬菜，明天还要早起去上班呢。价格是1&lt;2元。';
    const { cues, durationMs } = await cuesFor(`<speak>${text}</speak>`, 'Siqi');
    expectReadableCues(cues, durationMs);
    expect(cues.length).toBeGreaterThan(2);
    const parsed = await cuesInChromium(toVtt(cues));
    expect(parsed.map((cue) => cue.shown)).toEqual(cues.map((cue) => cue.text));
    expect(parsed.map((cue) => cue.shown.replace(/\n/g, '')).join('')).toBe(text.replace('&lt;', '<'));
  });
});
