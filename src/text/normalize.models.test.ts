import { describe, expect, it } from 'vitest';
import { normalizeText } from './normalize.models.js';
import { enCardinal, enOrdinal, enYear } from './numbers-en.models.js';
import { zhCardinal } from './numbers-zh.models.js';

describe('Chinese cardinals', () => {
  it.each([
    ['0', '零'], ['7', '七'], ['10', '十'], ['15', '十五'], ['20', '二十'], ['110', '一百一十'], ['101', '一百零一'],
    ['1000', '一千'], ['1001', '一千零一'], ['10086', '一万零八十六'], ['100010', '十万零一十'], ['20000000', '二千万'],
    ['100000000', '一亿'], ['100000001', '一亿零一'], ['123456789', '一亿二千三百四十五万六千七百八十九'],
  ])('%s → %s', (digits, spoken) => expect(zhCardinal(digits)).toBe(spoken));
});

describe('English cardinals, ordinals and years', () => {
  it.each([
    ['0', 'zero'], ['13', 'thirteen'], ['42', 'forty-two'], ['100', 'one hundred'], ['1234', 'one thousand two hundred thirty-four'],
    ['1000000', 'one million'], ['2000001', 'two million one'],
  ])('%s → %s', (digits, spoken) => expect(enCardinal(digits)).toBe(spoken));
  it.each([['1', 'first'], ['2', 'second'], ['3', 'third'], ['12', 'twelfth'], ['21', 'twenty-first'], ['40', 'fortieth'], ['100', 'one hundredth']])(
    'ordinal %s → %s', (digits, spoken) => expect(enOrdinal(digits)).toBe(spoken));
  it.each([['1984', 'nineteen eighty-four'], ['2005', 'two thousand five'], ['1900', 'nineteen hundred'], ['1905', 'nineteen oh five'], ['2024', 'twenty twenty-four']])(
    'year %s → %s', (digits, spoken) => expect(enYear(digits)).toBe(spoken));
});

describe('normalising Chinese text', () => {
  it.each([
    ['2024年1月5日', '二零二四年一月五日'],
    ['2024-01-05', '二零二四年一月五日'],
    ['日期1/5/2024', '日期二零二四年一月五日'],
    ['增长12.5%', '增长百分之十二点五'],
    ['3.14', '三点一四'],
    ['气温-5度', '气温负五度'],
    ['共1,234人', '共一千二百三十四人'],
    ['10086', '一万零八十六'],
    ['会议14:30开始', '会议十四点三十分开始'],
    ['14:05', '十四点零五分'],
    ['下午3点', '下午三点'],
    ['2点', '两点'],
    ['2个人', '两个人'],
    ['¥12.50', '十二元五角'],
    ['￥8.05', '八元零五分'],
    ['12元', '十二元'],
    ['价格$3.99', '价格三点九九美元'],
    ['电话13800138000', '电话幺三八零零幺三八零零零'],
    ['拨打010-12345678', '拨打零幺零 幺二三四五六七八'],
    ['第3名', '第三名'],
    ['编号007', '编号零零七'],
    ['3~5天', '三到五天'],
    ['30℃', '三十摄氏度'],
  ])('%s → %s', (text, spoken) => expect(normalizeText({ text, language: 'zh' })).toBe(spoken));
});

describe('normalising English text', () => {
  it.each([
    ['1,234', 'one thousand two hundred thirty-four'],
    ['12.5%', 'twelve point five percent'],
    ['It costs $3.99.', 'It costs three dollars and ninety-nine cents.'],
    ['$1', 'one dollar'],
    ['$0.50', 'fifty cents'],
    ['£2.01', 'two pounds and one penny'],
    ['¥12.50 only', 'twelve point five yuan only'],
    ['on 2024-01-05', 'on January fifth, twenty twenty-four'],
    ['on 1/5/2024', 'on January fifth, twenty twenty-four'],
    ['on 25/12/2024', 'on December twenty-fifth, twenty twenty-four'],
    ['at 14:30', 'at fourteen thirty'],
    ['at 9:05 pm', 'at nine oh five p m'],
    ['at 3:00', "at three o'clock"],
    ['the 1st and 22nd', 'the first and twenty-second'],
    ['minus -7 degrees', 'minus minus seven degrees'],
    ['call 555-123-4567', 'call five five five, one two three, four five six seven'],
    ['pages 10-20', 'pages ten to twenty'],
    ['agent 007', 'agent zero zero seven'],
    ['5apples', 'five apples'],
  ])('%s → %s', (text, spoken) => expect(normalizeText({ text, language: 'en' })).toBe(spoken));
});

describe('choosing the reading language', () => {
  it('reads Chinese next to Chinese characters even for an English voice', () => {
    expect(normalizeText({ text: '2024年', language: 'en' })).toBe('二零二四年');
  });
  it('reads English next to Latin words even for a Chinese voice', () => {
    expect(normalizeText({ text: 'version 42', language: 'zh' })).toBe('version forty-two');
  });
  it('uses the voice language when nothing around decides', () => {
    expect(normalizeText({ text: '42', language: 'zh' })).toBe('四十二');
    expect(normalizeText({ text: '42', language: 'en' })).toBe('forty-two');
  });
  it('leaves text without digits alone', () => {
    expect(normalizeText({ text: 'no numbers here 。', language: 'en' })).toBe('no numbers here 。');
  });
});
