import { describe, expect, it } from 'vitest';
import { parseSync, type NodeCue } from 'subtitle';
import { buildCues, displayWidth, splitToWidth } from './subtitle-cues.models.js';
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
    const cues = buildCues(timings, { maxLineColumns: 24, maxLines: 1 });
    expect(cues.length).toBeGreaterThan(4);
    expect(cues[0]).toMatchObject({ startMs: 0, endMs: 900, text: 'Short one.' });
    for (let i = 1; i < cues.length; i++) expect(cues[i]!.startMs).toBeGreaterThanOrEqual(cues[i - 1]!.endMs);
    for (const cue of cues) for (const line of cue.text.split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(24);
    expect(cues.at(-1)!.endMs).toBe(10_000);
    const chinese = cues.filter((cue) => cue.startMs >= 900 && cue.endMs <= 9000);
    expect(chinese[0]!.startMs).toBe(900);
    expect(chinese.at(-1)!.endMs).toBe(9000);
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
