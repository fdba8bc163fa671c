/**
 * Broken SSML is refused with a position, never spoken as markup. Valid documents that use every tag
 * the reference lists are damaged one character at a time (a character dropped, doubled, or one of
 * < > / " & = put in), as a hand edit or a bad template would; whatever comes out must either be
 * refused as InvalidParameter.Ssml naming a line and column, or be read without any of the markup.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAppError } from '../shared/errors.js';
import { parseInput } from './parse-input.js';

const DOCUMENTS = [
  '<speak voice="xiaoyun" rate="-100" pitch="50" volume="60" encodeType="mp3" sampleRate="16000">你好<break time="500ms"/>世界。</speak>',
  '<speak><p><s>第一句。</s><s>第二句<break strength="weak"/>结束。</s></p></speak>',
  '<speak><sub alias="世界卫生组织">WHO</sub>成立了，号码<say-as interpret-as="telephone">13800138000</say-as>。</speak>',
  '<speak><phoneme alphabet="py" ph="zhong1 guo2">中国</phoneme>很大，<w>长沙</w>很美。</speak>',
  '<speak><prosody rate="fast" pitch="+2st" volume="loud">Quick words.</prosody> Then slow.</speak>',
  '前言。<speak>中间<break/>的话。</speak>结尾。',
  '<speak>Hello there.</speak>\n<speak rate="200">Second block, <say-as interpret-as="cardinal">42</say-as> things.</speak>',
];

/** Markup that must never reach the engine or the subtitles as words. */
const MARKUP = /<|\/>|="|\b(?:speak|break|prosody|say-as|phoneme|interpret-as|alias|alphabet|encodeType|sampleRate|strength)\b/;

const damaged = fc.constantFrom(...DOCUMENTS).chain((document) =>
  fc.record({
    document: fc.constant(document),
    at: fc.nat({ max: document.length - 1 }),
    change: fc.oneof(fc.constant({ kind: 'drop' as const }), fc.constant({ kind: 'double' as const }), fc.constantFrom('<', '>', '/', '"', '&', '=').map((char) => ({ kind: 'insert' as const, char }))),
  }).map(({ document, at, change }) => {
    if (change.kind === 'drop') return document.slice(0, at) + document.slice(at + 1);
    if (change.kind === 'double') return document.slice(0, at + 1) + document.slice(at);
    return document.slice(0, at) + change.char + document.slice(at);
  }),
);

describe('damaged SSML', () => {
  it('the undamaged documents are read without their markup', () => {
    for (const document of DOCUMENTS) {
      const parsed = parseInput(document, { language: 'zh', maxChars: 10_000 });
      for (const segment of parsed.segments) expect(segment.text).not.toMatch(MARKUP);
    }
  });

  it('is refused at a line and column, or read without any markup', () => {
    fc.assert(
      fc.property(damaged, (input) => {
        let parsed;
        try {
          parsed = parseInput(input, { language: 'zh', maxChars: 10_000 });
        } catch (error) {
          expect(isAppError(error)).toBe(true);
          if (!isAppError(error)) return;
          expect(error.code).toBe('InvalidParameter.Ssml');
          expect(error.message).toMatch(/at line \d+, column \d+: /);
          return;
        }
        const spoken = parsed.segments.flatMap((segment) => segment.pieces).map((piece) => (piece.kind === 'silence' ? '' : piece.text));
        for (const text of [...parsed.segments.map((segment) => segment.text), ...spoken]) expect(text, JSON.stringify(input)).not.toMatch(MARKUP);
      }),
      { numRuns: 2000 },
    );
  });
});
