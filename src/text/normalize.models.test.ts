import { describe, expect, it } from 'vitest';
import { normalizeText } from './normalize.models.js';
import { enCardinal, enDecade, enFraction, enOrdinal, enYear } from './numbers-en.models.js';
import { zhCardinal, zhFraction } from './numbers-zh.models.js';

describe('Chinese cardinals', () => {
  it.each([
    ['0', '零'], ['7', '七'], ['10', '十'], ['15', '十五'], ['20', '二十'], ['110', '一百一十'], ['101', '一百零一'],
    ['1000', '一千'], ['1001', '一千零一'], ['10086', '一万零八十六'], ['100010', '十万零一十'], ['20000000', '两千万'],
    ['2000', '两千'], ['20000', '两万'], ['200000000', '两亿'], ['22000', '两万二千'], ['200', '二百'], ['120', '一百二十'],
    ['100000000', '一亿'], ['100000001', '一亿零一'], ['123456789', '一亿二千三百四十五万六千七百八十九'],
  ])('%s → %s', (digits, spoken) => expect(zhCardinal(digits)).toBe(spoken));
  it('keeps 二 in ordinals: 第二千', () => expect(zhCardinal('2000', { ordinal: true })).toBe('二千'));
  it.each([['1', '2', '二分之一'], ['3', '4', '四分之三'], ['2', '3', '三分之二']])('fraction %s/%s → %s', (n, d, spoken) => expect(zhFraction(n, d)).toBe(spoken));
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
  it.each([['1990', 'nineteen nineties'], ['2000', 'two thousands'], ['1900', 'nineteen hundreds'], ['80', 'eighties'], ['20', 'twenties']])(
    'decade %s → %s', (digits, spoken) => expect(enDecade(digits)).toBe(spoken));
  it.each([['1', '2', 'one half'], ['3', '2', 'three halves'], ['1', '4', 'one quarter'], ['3', '4', 'three quarters'], ['2', '3', 'two thirds'], ['5', '8', 'five eighths']])(
    'fraction %s/%s → %s', (n, d, spoken) => expect(enFraction(n, d)).toBe(spoken));
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
    ['−5', '负五'],
  ])('%s → %s', (text, spoken) => expect(normalizeText({ text, language: 'zh' })).toBe(spoken));

  it.each([
    ['报警电话110', '报警电话幺幺零'],
    ['+86 138 1234 5678', '加八六 幺三八 幺二三四 五六七八'],
    ['138 1234 5678', '幺三八 幺二三四 五六七八'],
    ['尾号5678的用户', '尾号五六七八的用户'],
    ['邮编100080', '邮编一零零零八零'],
    ['验证码是3921', '验证码是三九二一'],
    ['房间号是1201', '房间号是幺二零幺'],
    // Without a cue a number is a quantity.
    ['他有110元', '他有一百一十元'],
  ])('after a word that announces a code or a number to dial, digits one by one: %s → %s', (text, spoken) => expect(normalizeText({ text, language: 'zh' })).toBe(spoken));

  describe('ranges: a dash or tilde between two quantities is 到', () => {
    it.each([
      ['2020-2024年', '二零二零到二零二四年'],
      ['1994-2024', '一九九四到二零二四'],
      ['2020年-2024年', '二零二零年到二零二四年'],
      ['2020年-2024', '二零二零年到二零二四'],
      ['1月5日-1月10日', '一月五日到一月十日'],
      ['1月5日-10日', '一月五日到十日'],
      ['12月-1月', '十二月到一月'],
      ['14:00-16:00', '十四点到十六点'],
      ['2点-4点', '两点到四点'],
      // eSpeak drops the hyphen: 五-十分钟 was heard as 五十分钟, fifty minutes.
      ['5-10分钟', '五到十分钟'],
      ['2万-3万', '两万到三万'],
      ['月薪1万-2万元', '月薪一万到两万元'],
      ['3-5个', '三到五个'],
      ['2-3个', '两到三个'],
      ['第2-3名', '第二到三名'],
      ['10-20', '十到二十'],
      ['1000-2000元', '一千到两千元'],
      ['20%-30%', '百分之二十到百分之三十'],
      ['20%～30%', '百分之二十到百分之三十'],
      ['20-30%', '百分之二十到百分之三十'],
      ['气温-5～3度', '气温负五到三度'],
      ['-5~10℃', '负五到十摄氏度'],
    ])('%s → %s', (text, spoken) => expect(normalizeText({ text, language: 'zh' })).toBe(spoken));

    it.each([
      ['138-0013-8000', '幺三八 零零幺三 八零零零'],
      ['+86-138-0013-8000', '加八六 幺三八 零零幺三 八零零零'],
      ['400-800-1234', '四零零 八零零 幺二三四'],
      ['拨打010-12345678', '拨打零幺零 幺二三四五六七八'],
      ['5551-2345', '五五五幺 二三四五'],
    ])('leaves telephone numbers digit by digit: %s → %s', (text, spoken) => expect(normalizeText({ text, language: 'zh' })).toBe(spoken));

    it.each([
      ['图3-1', '图三，一'],
      ['图10-2', '图十，二'],
    ])('does not read a descending pair as a range, nor let the numbers run together: %s → %s', (text, spoken) => {
      expect(normalizeText({ text, language: 'zh' })).toBe(spoken);
    });

    it('reads a pair after 比分 or 比例 as a score or ratio, and leaves clock times alone', () => {
      expect(normalizeText({ text: '比分3:2', language: 'zh' })).toBe('比分三比二');
      expect(normalizeText({ text: '比分3-1', language: 'zh' })).toBe('比分三比一');
      expect(normalizeText({ text: '比例为1:2', language: 'zh' })).toBe('比例为一比二');
      expect(normalizeText({ text: '会议14:30开始', language: 'zh' })).toBe('会议十四点三十分开始');
    });
  });

  it.each([
    ['第2名', '第二名'],
    ['第2次', '第二次'],
    ['第2个', '第二个'],
    ['第2000名', '第二千名'],
    ['-10%', '负百分之十'],
    ['2000人', '两千人'],
    ['20000元', '两万元'],
    ['2亿', '两亿'],
    ['2万', '两万'],
    ['2.5万', '二点五万'],
    ['2000年', '二零零零年'],
  ])('says 两 only where speakers do, and the sign first: %s → %s', (text, spoken) => expect(normalizeText({ text, language: 'zh' })).toBe(spoken));

  it.each([
    ['¥1.5万', '一点五万元'],
    ['$2.5万', '二点五万美元'],
    ['¥2万', '两万元'],
    ['¥1.5万元', '一点五万元'],
    ['$2.5 billion的投资', '二十五亿美元的投资'],
    ['约$3 million美元', '约三百万美元'],
  ])('reads money with a scale word as a number of that scale: %s → %s', (text, spoken) => expect(normalizeText({ text, language: 'zh' })).toBe(spoken));

  it.each([
    ['1/2', '二分之一'],
    ['3/4', '四分之三'],
    ['1/3的人', '三分之一的人'],
    ['2024/01/05', '二零二四年一月五日'],
    ['版本2.0.1', '版本二点零点一'],
    ['2024-13-45', '二零二四 幺三 四五'],
  ])('fractions, versions and codes: %s → %s', (text, spoken) => expect(normalizeText({ text, language: 'zh' })).toBe(spoken));
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
    ['call 555-1234', 'call five five five, one two three four'],
    ['−5 degrees', 'minus five degrees'],
  ])('%s → %s', (text, spoken) => expect(normalizeText({ text, language: 'en' })).toBe(spoken));

  it.each([
    ['From 2020-2024 sales rose.', 'From twenty twenty to twenty twenty-four sales rose.'],
    ['2020–2024', 'twenty twenty to twenty twenty-four'],
    ['Save 20%-30% today.', 'Save twenty percent to thirty percent today.'],
    ['20-30% off', 'twenty to thirty percent off'],
    ['open 9:00-17:00', "open nine o'clock to seventeen hundred"],
    // An hour with am/pm and no minutes: eSpeak reads a bare "am" like the verb.
    ['Open 10 am to 7pm.', 'Open ten a m to seven p m.'],
    ['Call +1 555 123 4567.', 'Call plus one, five five five, one two three, four five six seven.'],
    ['Call at 7 p.m. Tomorrow.', 'Call at seven p m. Tomorrow.'],
    // A shortened second side continues the first.
    ['It was 1990-95.', 'It was nineteen ninety to ninety-five.'],
    ['The 2019-20 season.', 'The twenty nineteen to twenty season.'],
    ['See pages 110-15.', 'See pages one hundred ten to fifteen.'],
  ])('ranges, hours and spaced phone numbers: %s → %s', (text, spoken) => expect(normalizeText({ text, language: 'en' })).toBe(spoken));
  it('does not take a number glued to more dashes for a range ("1-800-FLOWERS" is not "one to eight hundred")', () => {
    expect(normalizeText({ text: '1-800-FLOWERS', language: 'en' })).toBe('one-eight hundred-FLOWERS');
    expect(normalizeText({ text: 'a 3-4-year-old', language: 'en' })).toBe('a three-four-year-old');
  });

  it.each([
    ['It was 1984.', 'It was nineteen eighty-four.'],
    ['© 2024', '© twenty twenty-four'],
    ['1984 was great.', 'nineteen eighty-four was great.'],
    ['In 1984 people left.', 'In nineteen eighty-four people left.'],
    ['Since 2020 sales rose.', 'Since twenty twenty sales rose.'],
    ['1984 people', 'one thousand nine hundred eighty-four people'],
    ['1,984', 'one thousand nine hundred eighty-four'],
    ['2100.', 'two thousand one hundred.'],
    ['The 1990s', 'The nineteen nineties'],
    ['in the 80s', 'in the eighties'],
    ["the '80s", 'the eighties'],
    ['wait 30s', 'wait thirty s'],
  ])('a lone four-digit number or one after a year cue is a year; a counted one is a cardinal: %s → %s', (text, spoken) => {
    expect(normalizeText({ text, language: 'en' })).toBe(spoken);
  });

  it.each([
    ['$2.5 million', 'two point five million dollars'],
    ['$1.5 billion', 'one point five billion dollars'],
    ['$1 million', 'one million dollars'],
    ['¥1.5万 only', '一点五万元 only'],
  ])('money with a scale word: %s → %s', (text, spoken) => expect(normalizeText({ text, language: 'en' })).toBe(spoken));

  it.each([
    ['1/2', 'one half'],
    ['3/4', 'three quarters'],
    ['24/7', 'twenty-four seven'],
    ['on 12/25', 'on twelve/twenty-five'],
    ['Version 2.0.1', 'Version two point zero point one'],
    ['It is 3:30 pm.', 'It is three thirty p m.'],
    ['It is 3:30 p.m.', 'It is three thirty p m.'],
    ['at 3:30 p.m. tomorrow', 'at three thirty p m tomorrow'],
  ])('fractions, versions and the period after pm: %s → %s', (text, spoken) => expect(normalizeText({ text, language: 'en' })).toBe(spoken));
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
