import { describe, expect, it } from 'vitest';
import { isAppError } from '../shared/errors.js';
import { countChars } from './char-count.js';
import { parseInput } from './parse-input.js';

describe('character counting (reference §8)', () => {
  it.each([
    ['你好，世界。', 6],
    ['Hello world', 11],
    ['a  \n b', 3],
    ['  padded  ', 6],
    ['😀 emoji', 7],
    ['𠮷野家', 3],
  ])('%j counts %i', (text, count) => {
    expect(countChars(text)).toBe(count);
  });

  it('does not count SSML tags or attributes', () => {
    const parsed = parseInput('<speak voice="siqi"><prosody rate="fast">你好</prosody><break time="1s"/>世界</speak>', { language: 'zh', maxChars: 10_000 });
    expect(parsed.charCount).toBe(4);
    expect(parsed.segments[0].charCount).toBe(4);
  });

  it('does not count sentence, paragraph or block boundaries either', () => {
    const sentences = '<speak>' + '<s>一二三四五六七八九十</s>'.repeat(1000) + '</speak>';
    expect(parseInput(sentences, { language: 'zh', maxChars: 10_000 }).charCount).toBe(10_000);
    const blocks = '<speak><p>一二</p><p>三</p></speak><!-- note --><speak>四</speak>';
    expect(parseInput(blocks, { language: 'zh', maxChars: 10_000 }).charCount).toBe(4);
    // A space the text itself has still counts.
    expect(parseInput('<speak><s>Hello</s> <s>world</s></speak>', { language: 'en', maxChars: 10_000 }).charCount).toBe(11);
  });

  it('counts each segment for progress', () => {
    const parsed = parseInput('说起郭德纲，他现在可以说是红得发紫了。', { language: 'zh', maxChars: 10_000 });
    expect(parsed.segments.map((s) => s.charCount)).toEqual([6, 13]);
    expect(parsed.charCount).toBe(19);
  });

  it('refuses text over the limit, plain or SSML', () => {
    for (const input of ['字'.repeat(11), '<speak>' + '字'.repeat(11) + '</speak>']) {
      try {
        parseInput(input, { language: 'zh', maxChars: 10 });
        throw new Error('expected a refusal');
      } catch (error) {
        expect(isAppError(error) && error.code).toBe('InvalidParameter.TextTooLong');
        expect(isAppError(error) && error.message).toContain('11 characters; at most 10');
      }
    }
    expect(parseInput('字'.repeat(10), { language: 'zh', maxChars: 10 }).charCount).toBe(10);
  });
});
