import { describe, expect, it } from 'vitest';
import { mapWordPosition, prepareEspeakText, toEspeakPinyin } from './espeak-text.models.js';
import { espeakRate } from './espeak-voices.models.js';

describe('eSpeak text preparation', () => {
  it('escapes markup and maps escaped positions back to the original text', () => {
    const original = 'a<b & c';
    const prepared = prepareEspeakText(original);
    expect(prepared.text).toBe('a&lt;b &amp; c');
    // "b" is code point 6 (1-based) in the escaped text.
    expect(mapWordPosition({ prepared, position: 6, length: 1 })).toEqual({ textOffset: 2, textLength: 1 });
    expect(mapWordPosition({ prepared, position: 14, length: 1 })).toEqual({ textOffset: 6, textLength: 1 });
  });

  it('counts a surrogate pair as one eSpeak position but two UTF-16 units', () => {
    const prepared = prepareEspeakText('😀好');
    expect(mapWordPosition({ prepared, position: 2, length: 1 })).toEqual({ textOffset: 2, textLength: 1 });
    expect(mapWordPosition({ prepared, position: 1, length: 1 })).toEqual({ textOffset: 0, textLength: 2 });
  });

  it('clamps positions beyond the text', () => {
    const prepared = prepareEspeakText('abc');
    expect(mapWordPosition({ prepared, position: 3, length: 9 })).toEqual({ textOffset: 2, textLength: 1 });
    expect(mapWordPosition({ prepared, position: 10, length: 2 })).toEqual({ textOffset: 3, textLength: 0 });
  });

  it('keeps plain text out of phoneme mode', () => {
    expect(prepareEspeakText('[[x]]').text).toBe('[ x]]');
  });

  it('converts tone-marked pinyin to tone numbers and ü to v', () => {
    expect(toEspeakPinyin('nǐ hǎo')).toBe('ni3 hao3');
    expect(toEspeakPinyin('lǜ shī')).toBe('lv4 shi1');
    expect(toEspeakPinyin('ni3 hao3 lü4')).toBe('ni3 hao3 lv4');
    expect(toEspeakPinyin('ma')).toBe('ma');
  });

  it('maps speed to words per minute inside what eSpeak accepts', () => {
    expect(espeakRate(1)).toBe(175);
    expect(espeakRate(2)).toBe(350);
    expect(espeakRate(0.5)).toBe(88);
    expect(espeakRate(3)).toBe(450);
    expect(espeakRate(0.2)).toBe(80);
    expect(espeakRate(Number.NaN)).toBe(175);
  });
});
