import { describe, expect, it } from 'vitest';
import { parseSync, type NodeCue } from 'subtitle';
import { buildCues, displayWidth, heardSentences, splitToWidth } from './subtitle-cues.models.js';
import { toSrt, toVtt } from './subtitle-formats.models.js';

const cuesOf = (text: string) => parseSync(text).filter((node): node is NodeCue => node.type === 'cue');

describe('displayWidth', () => {
  it('counts CJK and full-width characters as two columns', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('你好')).toBe(4);
    expect(displayWidth('你好，world')).toBe(11);
  });
});

describe('splitToWidth', () => {
  it('splits a long Chinese sentence at punctuation, every line within the width', () => {
    const text = '今天天气很好，我们一起去公园散步吧，然后在湖边坐一会儿，看看水里的鱼，再回家吃晚饭。';
    const lines = splitToWidth(text, 20);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(20);
    expect(lines.join('')).toBe(text);
    expect(lines[0]).toBe('今天天气很好，');
  });

  it('splits English at spaces and never breaks a word that fits', () => {
    const lines = splitToWidth('The quick brown fox jumps over the lazy dog and keeps running far away', 20);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(20);
    expect(lines.join(' ')).toBe('The quick brown fox jumps over the lazy dog and keeps running far away');
  });

  it('never starts a line with punctuation when it must cut between CJK characters', () => {
    const lines = splitToWidth('一二三四五六七八九十，一二三四五六七八九十', 20);
    for (const line of lines.slice(1)) expect(line[0]).not.toMatch(/[，。]/u);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(20);
  });
});

describe('buildCues', () => {
  const timings = [
    { text: 'Short one.', begin_time: 0, end_time: 900 },
    { text: '这是一个很长的中文句子，它需要被分成好几个字幕，每一行都不能超过规定的宽度，否则观众就看不清楚了。', begin_time: 900, end_time: 9000 },
    { text: 'The end.', begin_time: 9300, end_time: 10_000 },
  ];

  it('follows sentence timings, splits long sentences, never overlaps, and ends with the audio', () => {
    const cues = buildCues(timings, { maxLineColumns: 24, maxLines: 1, minDurationMs: 0 });
    expect(cues.length).toBeGreaterThan(4);
    expect(cues[0]).toMatchObject({ startMs: 0, endMs: 900, text: 'Short one.' });
    for (let i = 1; i < cues.length; i++) expect(cues[i]!.startMs).toBeGreaterThanOrEqual(cues[i - 1]!.endMs);
    for (const cue of cues) for (const line of cue.text.split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(24);
    expect(cues.at(-1)!.endMs).toBe(10_000);
    const chinese = cues.filter((cue) => cue.startMs >= 900 && cue.startMs < 9300);
    expect(chinese[0]!.startMs).toBe(900);
    // The 300 ms before "The end." is too short a gap to flash: the cue stays up until it.
    expect(chinese.at(-1)!.endMs).toBe(9300);
  });

  it('writes SRT and WebVTT that a subtitle parser reads back to the same cues', () => {
    const cues = buildCues(timings);
    for (const text of [toSrt(cues), toVtt(cues)]) {
      const parsed = cuesOf(text);
      expect(parsed.map((node) => [node.data.start, node.data.end, node.data.text])).toEqual(cues.map((cue) => [cue.startMs, cue.endMs, cue.text]));
    }
  });

  it('formats hours, minutes and milliseconds', () => {
    const srt = toSrt([{ index: 1, startMs: 3_723_004, endMs: 3_723_500, text: 'x' }]);
    expect(srt).toContain('01:02:03,004 --> 01:02:03,500');
    expect(toVtt([{ index: 1, startMs: 5, endMs: 60_000, text: 'x' }])).toContain('00:00:00.005 --> 00:01:00.000');
  });
});

describe('cues follow what is heard', () => {
  // A render's AiResult spans tile the audio (each holds the pause or <break> after it); its
  // `spoken` spans are where the sound is.
  const timings = [
    { text: 'Hello there.', begin_time: 0, end_time: 2968 },
    { text: 'How are you?', begin_time: 2968, end_time: 6462 },
    { text: 'Fine,', begin_time: 6462, end_time: 7028 },
    { text: 'thanks.', begin_time: 7028, end_time: 9562 },
  ];
  const spoken = [
    { begin_time: 2012, end_time: 2660 },
    { begin_time: 2980, end_time: 3460 },
    { begin_time: 6474, end_time: 6870 },
    { begin_time: 7040, end_time: 7560 },
  ];

  it('shows a sentence from its first sound to its last, not through the silence around it', () => {
    const cues = buildCues(heardSentences({ timings, spoken }), { maxLineColumns: 42, maxLines: 2, endMs: 9562 });
    expect(cues.map((cue) => [cue.startMs, cue.endMs, cue.text])).toEqual([
      // Held until the next sentence: a 320 ms gap is not worth a blank screen.
      [2012, 2980, 'Hello there.'],
      // Held to the minimum duration, then gone for the 3 s break.
      [2980, 3780, 'How are you?'],
      // "Fine," alone would be up for 566 ms: it shares its cue with the next clause.
      [6474, 7840, 'Fine, thanks.'],
    ]);
  });

  it('a sentence that made no sound keeps its AiResult span', () => {
    expect(heardSentences({ timings, spoken: [null, ...spoken.slice(1)] })[0]).toEqual(timings[0]);
  });

  it('never holds the last cue past the audio, and without spans keeps the old spans', () => {
    const cues = buildCues(heardSentences({ timings: [{ text: 'Go!', begin_time: 0, end_time: 300 }], spoken: [{ begin_time: 20, end_time: 250 }] }), { maxLineColumns: 42, maxLines: 2, endMs: 300 });
    expect(cues).toEqual([{ index: 1, startMs: 20, endMs: 300, text: 'Go!' }]);
  });

  it('quick short sentences share a cue rather than flash by, within the line limits, Latin and CJK', () => {
    const quick = (texts: string[]) => texts.map((text, i) => ({ text, begin_time: i * 300, end_time: (i + 1) * 300 }));
    const english = buildCues(quick(['Yes.', 'No.', 'Maybe.', 'OK then.', 'Go!']), { maxLineColumns: 42, maxLines: 2, endMs: 1500 });
    expect(english.map((cue) => [cue.index, cue.startMs, cue.endMs, cue.text])).toEqual([[1, 0, 1500, 'Yes. No. Maybe. OK then. Go!']]);
    const chinese = buildCues(quick(['好。', '是。', '走吧！']), { maxLineColumns: 42, maxLines: 2, endMs: 900 });
    expect(chinese.map((cue) => cue.text)).toEqual(['好。是。走吧！']);
    // What does not fit the lines stays apart, however short.
    const narrow = buildCues(quick(['One two three.', 'Four five six.']), { maxLineColumns: 14, maxLines: 1, endMs: 600 });
    expect(narrow.map((cue) => cue.text)).toEqual(['One two three.', 'Four five six.']);
  });
});
