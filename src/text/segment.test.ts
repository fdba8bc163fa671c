import { describe, expect, it } from 'vitest';
import { isAppError } from '../shared/errors.js';
import { parseInput } from './parse-input.js';

const texts = (input: string, language: 'zh' | 'en' = 'zh') => parseInput(input, { language, maxChars: 10_000 }).segments.map((s) => s.text);
const squash = (text: string) => text.replace(/\s+/g, '');

describe('segmentation', () => {
  it('cuts Chinese at clause and sentence punctuation, keeping it', () => {
    expect(texts('说起郭德纲，他现在可以说是红得发紫了。你知道吗？知道！第一、第二；结论：好……完')).toEqual([
      '说起郭德纲，', '他现在可以说是红得发紫了。', '你知道吗？', '知道！', '第一、', '第二；', '结论：', '好……', '完',
    ]);
  });

  it('cuts English the same way', () => {
    expect(texts('Speaking of Guo Degang, he is extremely popular now. Really?! Yes; quite: "so." Fine', 'en')).toEqual([
      'Speaking of Guo Degang,', 'he is extremely popular now.', 'Really?!', 'Yes;', 'quite:', '"so."', 'Fine',
    ]);
  });

  it('does not cut inside numbers, abbreviations, URLs or e-mail addresses', () => {
    expect(texts('Pi is 3.14 and 1,000 is big. Mr. Smith and Dr. Lee, e.g. J. K. Rowling, met at 14:30. Visit https://example.com/a.b?c=1, or mail a.b@example.org. End.', 'en')).toEqual([
      'Pi is 3.14 and 1,000 is big.',
      'Mr. Smith and Dr. Lee,',
      'e.g. J. K. Rowling,',
      'met at 14:30.',
      'Visit https://example.com/a.b?c=1,',
      'or mail a.b@example.org.',
      'End.',
    ]);
  });

  it('ends a sentence after a URL, keeps a date and "No. 7" whole, and cuts a list at its items', () => {
    expect(texts('Visit www.example.com. Email a.b@c.com. Done.', 'en')).toEqual(['Visit www.example.com.', 'Email a.b@c.com.', 'Done.']);
    expect(texts('It opened on Jan 5, 2024 in Paris. On March 3rd, 2025 it closed.', 'en')).toEqual(['It opened on Jan 5, 2024 in Paris.', 'On March 3rd, 2025 it closed.']);
    expect(texts('Room No. 7 is free.', 'en')).toEqual(['Room No. 7 is free.']);
    expect(texts('Steps:\n1. First item\n2. Second item\n- a bullet', 'en')).toEqual(['Steps:', '1. First item', '2. Second item', '- a bullet']);
    expect(texts('水果：\n1.苹果\n2.香蕉')).toEqual(['水果：', '1.苹果', '2.香蕉']);
    expect(texts('1、苹果\n2、香蕉')).toEqual(['1、苹果', '2、香蕉']);
    // Inside a sentence 、 still cuts, after a number too.
    expect(texts('苹果、香蕉、梨')).toEqual(['苹果、', '香蕉、', '梨']);
    expect(texts('今天有      12、明天有13、')).toEqual(['今天有 12、', '明天有13、']);
    // Still cut: a comma between a day and a word, a period after a number ending a sentence.
    expect(texts('We met on May 5, then left. I counted 12. Then 13.', 'en')).toEqual(['We met on May 5,', 'then left.', 'I counted 12.', 'Then 13.']);
  });

  it('handles mixed Chinese and English', () => {
    expect(texts('我喜欢Python,因为它简单。It is fun!好的')).toEqual(['我喜欢Python,', '因为它简单。', 'It is fun!', '好的']);
  });

  it('cuts at blank lines', () => {
    expect(texts('Title\n\nBody text', 'en')).toEqual(['Title', 'Body text']);
  });

  it('cuts long runs without punctuation at whitespace, and long Chinese runs at the limit', () => {
    const words = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    const english = texts(words, 'en');
    expect(english.length).toBeGreaterThan(1);
    for (const segment of english) expect(segment.length).toBeLessThanOrEqual(201);
    expect(english.join(' ')).toBe(words);
    const chinese = '中'.repeat(500);
    const cut = texts(chinese);
    expect(cut.map((s) => s.length)).toEqual([200, 200, 100]);
  });

  it('reconstructs the input from the segments, whitespace aside', () => {
    const input = '  第一句，第二句。\n\nSecond paragraph: with e.g. 3.5% and $4.  Last one  ';
    expect(squash(texts(input).join(''))).toBe(squash(input));
  });

  it('refuses empty and whitespace-only input', () => {
    for (const input of ['', '   \n\t']) {
      try {
        parseInput(input, { language: 'zh', maxChars: 10_000 });
        throw new Error('expected a refusal');
      } catch (error) {
        expect(isAppError(error) && error.code).toBe('InvalidParameter');
        expect(isAppError(error) && error.param).toBe('InputConfig');
      }
    }
  });

  it('refuses SSML with nothing to speak', () => {
    expect(() => parseInput('<speak>  </speak>', { language: 'zh', maxChars: 10_000 })).toThrow(/no text to speak/);
  });
});
