/**
 * Number, money and time readings a listener would notice: the edge cases around zero, 两, very large
 * numbers, decimals without a leading digit and on-the-hour 24-hour times, in Chinese and English.
 * Each reading goes through the whole text front end (parseInput), as a job's text would.
 */
import { describe, expect, it } from 'vitest';
import { parseInput } from './parse-input.js';

const spoken = (input: string, language: 'zh' | 'en') =>
  parseInput(input, { language, maxChars: 10_000 })
    .segments.map((segment) => segment.pieces.map((piece) => (piece.kind === 'text' ? piece.text : '')).join(''))
    .join(' ');

describe('Chinese money', () => {
  it.each([
    // 2 before a currency is 两, as before any measure word: 两元, 两美元.
    ['价格是2元', '价格是两元'],
    ['价格是¥2', '价格是两元'],
    ['只要$2', '只要两美元'],
    ['2欧元', '两欧元'],
    ['¥2.5', '两元五角'],
    // No one says 零元: under one yuan is just the jiao and fen.
    ['只要¥0.5', '只要五角'],
    ['余额¥0.05', '余额五分'],
    ['¥0', '零元'],
    ['¥10.05', '十元零五分'],
    // A decimal before 元 drops the trailing zero the way it is said: 十二点五元, not 十二点五零元.
    ['12.50元', '十二点五元'],
    ['0.50元', '零点五元'],
    ['12元', '十二元'],
    ['22元', '二十二元'],
  ])('%s → %s', (input, reading) => expect(spoken(input, 'zh')).toBe(reading));

  it('<say-as interpret-as="currency"> reads the same way', () => {
    expect(spoken('<speak>共<say-as interpret-as="currency">2元</say-as></speak>', 'zh')).toBe('共两元');
    expect(spoken('<speak>共<say-as interpret-as="currency">0.5元</say-as></speak>', 'zh')).toBe('共五角');
  });
});

describe('Chinese numbers of 13 to 16 digits', () => {
  it.each([
    // Above 一亿, the part over 亿 is itself a number of 万: 一万二千三百四十五亿, not 一万亿二千三百四十五亿.
    ['1234567890123', '一万二千三百四十五亿六千七百八十九万零一百二十三'],
    ['1000000000000', '一万亿'],
    ['1012300000000', '一万零一百二十三亿'],
    ['1000067890123', '一万亿零六千七百八十九万零一百二十三'],
    ['2000000000000', '两万亿'],
  ])('%s → %s', (input, reading) => expect(spoken(input, 'zh')).toBe(reading));
});

describe('English decimals and times', () => {
  it.each([
    // A decimal written without its leading zero is still a number.
    ['It weighs .5 kilograms.', 'It weighs point five kilograms.'],
    ['Only .25 of them.', 'Only point two five of them.'],
    // On the hour, a 24-hour time is "hundred", not "o'clock".
    ['Meet at 14:00 today.', 'Meet at fourteen hundred today.'],
    ['Meet at 00:00 today.', 'Meet at zero hundred today.'],
    ['Meet at 12:00 today.', "Meet at twelve o'clock today."],
    ['Meet at 9:00 today.', "Meet at nine o'clock today."],
  ])('%s → %s', (input, reading) => expect(spoken(input, 'en')).toBe(reading));

  it('a period that ends a sentence before a number is not a decimal point', () => {
    expect(spoken('Version 2.0.1 is out. 5 bugs were fixed.', 'en')).toBe('Version two point zero point one is out. five bugs were fixed.');
  });
});
