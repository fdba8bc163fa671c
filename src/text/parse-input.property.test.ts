import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../shared/errors.js';
import { isSsmlInput, parseInput } from './parse-input.js';

const squash = (text: string) => text.replace(/\s+/g, '');

/** Text built from the pieces that stress segmentation and normalisation most. */
const fragments = fc.constantFrom(
  '你好', '世界', '，', '。', '！', '？', '、', '…', 'Hello', 'world', ' ', '  ', '\n', '\n\n', ',', '.', '!', '?', ';', ':',
  '3.14', '1,000', '12.5%', '-7', '2024年', '1月5日', '14:30', '$3.99', '¥12.50', '13800138000', '010-12345678', 'Mr.', 'e.g.',
  'https://example.com/a.b', '😀', '<', '>', '&', '"', '1st', '第3', '0', '00', '9999999999999999999999',
);
const textArbitrary = fc.oneof(fc.array(fragments, { maxLength: 60 }).map((parts) => parts.join('')), fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 300 }));

describe('parseInput on any plain text', () => {
  it('never throws except for empty or too long input, and always reconstructs the input', () => {
    fc.assert(
      fc.property(textArbitrary, fc.constantFrom<'zh' | 'en'>('zh', 'en'), (input, language) => {
        if (isSsmlInput(input)) return;
        let parsed;
        try {
          parsed = parseInput(input, { language, maxChars: 10_000 });
        } catch (error) {
          expect(isAppError(error) && error.code).toBe('InvalidParameter');
          expect(input.trim()).toBe('');
          return;
        }
        expect(squash(parsed.segments.map((s) => s.text).join(''))).toBe(squash(input));
        for (const segment of parsed.segments) {
          expect(segment.text.length).toBeLessThanOrEqual(202);
          expect(segment.pieces.length).toBeGreaterThan(0);
        }
        expect(parsed.charCount).toBeGreaterThanOrEqual(parsed.segments.reduce((sum, s) => sum + s.charCount, 0));
      }),
      { numRuns: 500 },
    );
  });

  it('SSML-wrapped escaped text reconstructs too', () => {
    fc.assert(
      fc.property(fc.array(fragments, { minLength: 1, maxLength: 40 }).map((parts) => parts.join('')), (text) => {
        if (text.trim() === '') return;
        const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
        const parsed = parseInput(`<speak>${escaped}</speak>`, { language: 'zh', maxChars: 10_000 });
        expect(squash(parsed.segments.map((s) => s.text).join(''))).toBe(squash(text));
      }),
      { numRuns: 300 },
    );
  });
});

describe('validation without normalising (submit time)', () => {
  it('accepts and refuses exactly what the full parse accepts and refuses, with the same segments and count', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.constantFrom('<speak>2024年1月5日，<say-as interpret-as="telephone">13800138000</say-as>。</speak>', '$3.99 at 14:30.', '<speak><sub alias="世界贸易组织">WTO</sub></speak>', '<speak><break time="x"/></speak>')), (input) => {
        const outcome = (normalize: boolean) => {
          try {
            const parsed = parseInput(input, { language: 'zh', maxChars: 10_000, normalize });
            return { ok: true, texts: parsed.segments.map((s) => s.text), count: parsed.charCount };
          } catch (error) {
            return { ok: false, code: (error as { code?: string }).code };
          }
        };
        expect(outcome(false)).toEqual(outcome(true));
      }),
      { numRuns: 400 },
    );
  });
});
