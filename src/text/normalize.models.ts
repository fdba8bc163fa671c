/**
 * Text normalisation: numbers, dates, times, money, phone numbers and ordinals become words in the
 * language around them, so every engine reads them the same way. Pure functions; display text is
 * never touched, only what the engine is given.
 */
import { type ReadingLanguage, languageAround } from './language.models.js';
import { MONTHS, enCardinal, enDecade, enDigits, enFraction, enMoney, enNumber, enOrdinal, enYear, isYearLike } from './numbers-en.models.js';
import { LIANG_MEASURE_WORDS, ZH_SCALE_WORDS, zhCardinal, zhCount, zhDigits, zhFraction, zhNumber, zhYuan } from './numbers-zh.models.js';
import { SPAN_PATTERN, readSpan } from './ranges.models.js';
import { type UnitMatch, readWithUnit, unitAfterNumber } from './units.models.js';

const DOTTED = String.raw`(?<dotted>(?<![\d.])\d+(?:\.\d+){2,}(?!\.?\d))`;
const NUMBER = String.raw`(?<number>(?<neg>(?<![\w.])[-−])?(?<num>\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?<frac>\.\d+)?(?<pct>[%％])?(?<ord>(?:st|nd|rd|th)(?![A-Za-z]))?)`;

const PATTERN = new RegExp(
  [
    String.raw`(?<isoDate>(?<![\d.])(?<iy>\d{4})(?<sep>[-/.])(?<im>\d{1,2})\k<sep>(?<id>\d{1,2})(?![\d.]))`,
    String.raw`(?<usDate>(?<![\d/])(?<um>\d{1,2})/(?<ud>\d{1,2})/(?<uy>\d{4})(?![\d/]))`,
    String.raw`(?<fraction>(?<![\d/.])(?<fn>\d{1,3})/(?<fd>\d{1,3})(?![\d/]|\.\d))`,
    // "pm." keeps its period in the text: it usually ends the sentence too.
    String.raw`(?<time>(?<![\d:])(?<th>\d{1,2}):(?<tm>\d{2})(?::(?<ts>\d{2}))?(?![\d:])(?:\s?(?<ampm>[AaPp](?:\.[Mm]\.?|[Mm]))(?![A-Za-z]))?)`,
    // "10 am", "7pm": an hour with am/pm and no minutes (eSpeak says "am" like the verb).
    String.raw`(?<hourAmPm>(?<![\d:.,])(?<hh>1[0-2]|0?[1-9])\s?(?<hap>[AaPp](?:\.[Mm]\.?|[Mm]))(?![A-Za-z]))`,
    String.raw`(?<mobile>(?<![\d+])1[3-9]\d(?:\d{8}|(?<msep>[ -])\d{4}\k<msep>\d{4})(?!\d))`,
    // An international number written with spaces: +86 138 1234 5678, +1 555 123 4567.
    String.raw`(?<spacedPhone>(?<![\w+])\+\d{1,3}(?: \d{1,5}){2,4}(?![\d]))`,
    String.raw`(?<phone>(?<![\w.])(?:\+\d{1,3}[ -]?)?(?:\(\d{2,4}\)[ -]?)?\d{2,5}(?:-\d{2,8}){1,3}(?![\d-]))`,
    String.raw`(?<money>(?<cur>[$¥￥€£])\s?(?<amount>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?<scale>\s?(?:${ZH_SCALE_WORDS})|\s?(?:thousand|million|billion|trillion)(?![A-Za-z]))?)`,
    String.raw`(?<decade>(?<![\w.])(?<apostrophe>['’])?(?<dec>\d{3}0|[1-9]0)s(?![A-Za-z\d]))`,
    DOTTED,
    // ".5": a decimal written without its leading zero (not the end of "v2.5" or of a sentence before a number).
    String.raw`(?<bareDecimal>(?<![\w.,])\.(?<bd>\d+)(?![\d.])(?<bdPct>[%％])?)`,
    NUMBER,
  ].join('|'),
  'g',
);

/** Where a token can start: a digit, a currency sign, the sign/bracket of a number or phone number, the ' of '80s, or the point of ".5". */
const TOKEN_START = /[\d$¥￥€£+(\-−'’.]/g;
const STICKY_PATTERN = new RegExp(PATTERN.source, 'y');
/** When a token turns out not to be what its shape suggested (month 13, 5/1), its numbers are read one by one. */
const FALLBACK_PATTERN = new RegExp(`${DOTTED}|${NUMBER}`, 'y');
const HAN = /[\u3400-\u9fff]/;

/** Rewrites every number-like token in `text` into words. `language` decides where the text around a token does not. */
export function normalizeText({ text, language }: { text: string; language: ReadingLanguage }): string {
  return rewrite({ text, language, lead: '', tail: '' });
}

/** normalizeText on a part of a longer text: `lead` and `tail` are what surrounds it, read as context only. */
function rewrite({ text, language, lead, tail }: { text: string; language: ReadingLanguage; lead: string; tail: string }): string {
  if (!/\d/.test(text)) return text;
  // The big pattern is only tried where a token can start: trying it at every index costs ten times more.
  let out = '';
  let copied = 0;
  const starts = new RegExp(TOKEN_START.source, 'g');
  let candidate: RegExpExecArray | null;
  while ((candidate = starts.exec(text)) !== null) {
    const token = readAt({ text, start: candidate.index, language, lead, tail });
    if (token === undefined) continue;
    out += text.slice(copied, candidate.index) + token.spoken;
    copied = token.end;
    starts.lastIndex = token.end;
  }
  return out + text.slice(copied);
}

/** The token starting at `start`, spoken: a range first, then the ordinary rules, then plain numbers. */
function readAt({ text, start, language, lead, tail }: {
  text: string;
  start: number;
  language: ReadingLanguage;
  lead: string;
  tail: string;
}): { spoken: string; end: number } | undefined {
  for (const pattern of [SPAN_PATTERN, STICKY_PATTERN, FALLBACK_PATTERN]) {
    pattern.lastIndex = start;
    const found = pattern.exec(text);
    if (!found || found[0] === '') continue;
    const groups = found.groups ?? {};
    const before = (lead + text.slice(0, start)).slice(-16);
    let end = start + found[0].length;
    // A unit after a plain number (70kg, 10 km, 30°) is part of its token: it is read with it and decides its language too.
    const unit = pattern !== SPAN_PATTERN && groups.number && !groups.pct && !groups.ord ? unitAfterNumber({ text, index: end, before }) : undefined;
    if (unit) end = unit.end;
    const match = text.slice(start, end);
    // A token with Chinese units in it (2020年-2024年, $2.5万) is Chinese whatever surrounds it.
    const lang = HAN.test(match) ? 'zh' : languageAround({ text, start, end, fallback: language });
    const after = (text.slice(end) + tail).slice(0, 16);
    const spoken = pattern === SPAN_PATTERN
      ? readSpan({
        a: groups.a!, sep: groups.sep!, b: groups.b!, lang, before, after,
        read: (side, context) => rewrite({ text: side, language: lang, lead: context.lead ?? '', tail: context.tail ?? '' }),
      })
      : readToken({ groups, match, lang, before, after, unit });
    if (spoken !== undefined) return { spoken: padLatin({ spoken, lang, text, start, end }), end };
  }
  return undefined;
}

/** English words glued to neighbouring letters would merge ("5apples"): keep a space around them. */
function padLatin({ spoken, lang, text, start, end }: { spoken: string; lang: ReadingLanguage; text: string; start: number; end: number }): string {
  if (lang !== 'en') return spoken;
  const before = start > 0 && /[A-Za-z0-9]/.test(text[start - 1]) ? ' ' : '';
  const after = end < text.length && /[A-Za-z0-9]/.test(text[end]) ? ' ' : '';
  return before + spoken + after;
}

function readToken({ groups, match, lang, before, after, unit }: {
  groups: Record<string, string | undefined>;
  match: string;
  lang: ReadingLanguage;
  before: string;
  after: string;
  unit?: UnitMatch;
}): string | undefined {
  // What looks like a date but cannot be one (2024-13-45) is a code: its digit groups are read one by one.
  if (groups.isoDate) return readDate({ year: groups.iy!, month: groups.im!, day: groups.id!, lang }) ?? readTelephone({ text: match, lang });
  if (groups.usDate) {
    // Month first (US) unless the first number cannot be a month.
    const first = Number(groups.um);
    const [month, day] = first > 12 ? [groups.ud!, groups.um!] : [groups.um!, groups.ud!];
    return readDate({ year: groups.uy!, month, day, lang }) ?? readTelephone({ text: match, lang });
  }
  if (groups.fraction) return readFraction({ numerator: groups.fn!, denominator: groups.fd!, lang });
  if (groups.time) return keepSentencePeriod(readTime({ hour: groups.th!, minute: groups.tm!, second: groups.ts, ampm: groups.ampm, lang }), groups.ampm, after);
  if (groups.hourAmPm) return keepSentencePeriod(readTime({ hour: groups.hh!, minute: '00', ampm: groups.hap, lang }), groups.hap, after);
  if (groups.mobile || groups.spacedPhone) return readTelephone({ text: match, lang });
  if (groups.phone) {
    const digitCount = match.replace(/\D/g, '').length;
    if (digitCount >= 7) return readTelephone({ text: match, lang });
    // Ranges (10-20) were taken by readSpan; what is left (图10-2, 3-2-1) is a list of numbers.
    return match.split('-').map((part) => readNumber(part, lang)).join(lang === 'zh' ? '，' : ', ');
  }
  if (groups.money) {
    const spoken = readMoney({ symbol: groups.cur!, amount: groups.amount!, scale: groups.scale?.trim(), lang });
    // "¥1.5万元", "$3 million美元": the currency is written twice but said once.
    const unit = CURRENCIES[groups.cur!]?.zh ?? '';
    return lang === 'zh' && spoken.endsWith(unit) && after.startsWith(unit) ? spoken.slice(0, -unit.length) : spoken;
  }
  if (groups.decade) return readDecade({ digits: groups.dec!, apostrophe: groups.apostrophe !== undefined, before, lang });
  if (groups.bareDecimal) {
    // Said as written in English ("point five"); Chinese always says the zero (零点五).
    const number = lang === 'zh' ? zhNumber(`0.${groups.bd}`) : `point ${enDigits(groups.bd!)}`;
    if (!groups.bdPct) return number;
    return lang === 'zh' ? `百分之${number}` : `${number} percent`;
  }
  if (groups.dotted) return match.split('.').map((part) => readNumber(part, lang)).join(lang === 'zh' ? '点' : ' point ');
  if (groups.number) return readNumberToken({ groups, lang, before, after, unit });
  return undefined;
}

/** "3:30 p.m." at the end of a sentence: the last period of its p.m. is the sentence's too. */
function keepSentencePeriod(spoken: string | undefined, ampm: string | undefined, after: string): string | undefined {
  const endsSentence = ampm?.endsWith('.') && /^(?:\s*$|\s+[A-Z])/.test(after);
  return spoken === undefined || !endsSentence ? spoken : spoken + '.';
}

function readNumberToken({ groups, lang, before, after, unit }: {
  groups: Record<string, string | undefined>;
  lang: ReadingLanguage;
  before: string;
  after: string;
  unit?: UnitMatch;
}): string {
  const num = groups.num!;
  const frac = groups.frac ?? '';
  const negative = groups.neg !== undefined;
  if (groups.ord) return enOrdinal(num.replace(/,/g, ''));
  let spoken: string;
  if (num.length > 1 && num.startsWith('0') && frac === '') {
    // "007", "0086": an identifier, read digit by digit.
    spoken = lang === 'zh' ? zhDigits(num) : enDigits(num);
  } else if (lang === 'zh' && frac === '' && !negative && !groups.pct && !unit && ZH_DIGIT_CUES.test(before)) {
    // 报警电话110, 尾号5678, 邮编100080: a code or number you dial, read digit by digit (phones with 幺).
    spoken = zhDigits(num.replace(/,/g, ''), { telephone: ZH_PHONE_CUES.test(before) });
  } else if (lang === 'zh') {
    // After 第 a number is an ordinal: 第二名, 第二千名, never 两.
    const ordinal = before.endsWith('第');
    if (/^\d{4}$/.test(num) && frac === '' && !negative && after.startsWith('年')) spoken = zhDigits(num);
    else if (num === '2' && frac === '' && !negative && !groups.pct && !ordinal && takesLiang({ unit, before, after })) spoken = '两';
    // An amount of money says its decimals as far as they go: 12.50元 is 十二点五元, not 十二点五零元.
    else spoken = zhNumber(num + (ZH_CURRENCY_AFTER.test(after) ? frac.replace(/\.?0+$/, '') : frac), { ordinal });
  } else if (frac === '' && !negative && !groups.pct && !unit && isEnglishYear({ num, before, after })) {
    spoken = enYear(num);
  } else {
    spoken = enNumber(num + frac);
  }
  // The sign goes before the whole quantity: 负百分之十, not 百分之负十.
  const sign = negative ? (lang === 'zh' ? '负' : 'minus ') : '';
  if (groups.pct) return lang === 'zh' ? `${sign}百分之${spoken}` : `${sign}${spoken} percent`;
  if (unit) return sign + readWithUnit({ spoken, match: unit, lang });
  return sign + spoken;
}

/** Currency words written after an amount. */
const ZH_CURRENCY_AFTER = /^(?:元|块|美元|欧元|英镑|港币|日元)/;

/** A cue word right before a number; "号", "是"/"为", a colon or a space may come between. */
const zhCueBefore = (words: string) => new RegExp(`(?:${words})(?:号)?(?:是|为)?[:：]?\\s*$`);
/** Words after which 1 is said 幺, as on the phone. */
const ZH_PHONE_WORDS = '电话|热线|手机|号码|尾号|分机|房间|车次|航班';
/** Words after which a number is a code or a number to dial, read digit by digit. */
const ZH_DIGIT_CUES = zhCueBefore(`${ZH_PHONE_WORDS}|邮编|编号|工号|学号|账号|帐号|卡号|验证码|密码|门牌|代码`);
const ZH_PHONE_CUES = zhCueBefore(ZH_PHONE_WORDS);

/**
 * A lone 2 is 两 before a measure word (2个 → 两个) or a unit that takes it (2kg → 两公斤): its own, or, for the first
 * side of a range, the one that follows the range (2-3km → 两到三公里).
 */
function takesLiang({ unit, before, after }: { unit?: UnitMatch; before: string; after: string }): boolean {
  if (unit) return unit.unit.liang;
  return LIANG_MEASURE_WORDS.test(after) || unitAfterNumber({ text: after, index: 0, before })?.unit.liang === true;
}

/** Words after which a four-digit number is a year even when a noun follows: "in 1984 people…", "since 2020 sales…". */
const YEAR_CUES = /\b(?:in|since|from|until|till|by|year|during|circa|before|after)\s+$/i;
/** Words that follow a year but never count one: "1984 was", "1990 and 1995". */
const YEAR_FOLLOWERS = /^\s+(?:was|is|will|saw|had|has|marked|began|ended|and|or)\b/;

/**
 * An English four-digit number from 1100 to 2099 is read as a year ("nineteen eighty-four") after a year cue or when
 * no word follows it ("It was 1984.", "© 2024"); followed by a word it counts something ("1984 people": a cardinal).
 */
function isEnglishYear({ num, before, after }: { num: string; before: string; after: string }): boolean {
  if (!isYearLike(num)) return false;
  if (YEAR_CUES.test(before)) return true;
  return !/^\s*[a-z]/.test(after) || YEAR_FOLLOWERS.test(after);
}

/**
 * "1990s" is always a decade; a two-digit "80s" only as "'80s" or after the/early/late/mid ("wait 30s" is seconds).
 * Chinese writes 年代: 1990s → 一九九零年代.
 */
function readDecade({ digits, apostrophe, before, lang }: { digits: string; apostrophe: boolean; before: string; lang: ReadingLanguage }): string | undefined {
  if (digits.length === 4) return lang === 'zh' ? zhDigits(digits) + '年代' : enDecade(digits);
  if (lang === 'zh' || !(apostrophe || /\b(?:the|early|late|mid)[\s-]*$/i.test(before))) return undefined;
  return enDecade(digits);
}

/**
 * A proper fraction with a denominator up to 10, or 100: 1/2 → 二分之一 / "one half". Others (12/25, 5/1) are
 * more often dates or ratios, and are read as plain numbers; "24/7" is an idiom.
 */
function readFraction({ numerator, denominator, lang }: { numerator: string; denominator: string; lang: ReadingLanguage }): string | undefined {
  const n = Number(numerator);
  const d = Number(denominator);
  if (lang === 'en' && n === 24 && d === 7) return 'twenty-four seven';
  if (/^0\d/.test(numerator) || /^0\d/.test(denominator) || n < 1 || n >= d || (d > 10 && d !== 100)) return undefined;
  return lang === 'zh' ? zhFraction(numerator, denominator) : enFraction(numerator, denominator);
}

export function readNumber(text: string, lang: ReadingLanguage): string {
  return lang === 'zh' ? zhNumber(text) : enNumber(text);
}

/** A calendar date; undefined if the numbers cannot be one (then the caller reads them as numbers). */
export function readDate({ year, month, day, lang }: { year?: string; month: string; day?: string; lang: ReadingLanguage }): string | undefined {
  const m = Number(month);
  const d = day === undefined ? undefined : Number(day);
  if (m < 1 || m > 12 || (d !== undefined && (d < 1 || d > 31))) return undefined;
  if (lang === 'zh') {
    return `${year ? zhDigits(year) + '年' : ''}${zhCardinal(String(m))}月${d === undefined ? '' : zhCardinal(String(d)) + '日'}`;
  }
  const monthDay = `${MONTHS[m - 1]}${d === undefined ? '' : ' ' + enOrdinal(String(d))}`;
  return year ? `${monthDay}${d === undefined ? '' : ','} ${enYear(year)}` : monthDay;
}

export function readTime({ hour, minute, second, ampm, lang }: {
  hour: string;
  minute: string;
  second?: string;
  ampm?: string;
  lang: ReadingLanguage;
}): string | undefined {
  const h = Number(hour);
  const m = Number(minute);
  const s = second === undefined ? undefined : Number(second);
  if (h > 24 || m > 59 || (s !== undefined && s > 59)) return undefined;
  const pm = ampm ? /^p/i.test(ampm) : undefined;
  if (lang === 'zh') {
    let out = pm === undefined ? '' : pm ? '下午' : '上午';
    out += zhCount(String(h)) + '点';
    if (m > 0 || (s !== undefined && s > 0)) out += (m < 10 && m > 0 ? '零' : '') + zhCardinal(String(m)) + '分';
    if (s !== undefined && s > 0) out += zhCardinal(String(s)) + '秒';
    return out;
  }
  let out = enCardinal(String(h));
  // On the hour: "nine o'clock", "nine p m"; a 24-hour time past noon or at zero is "fourteen hundred".
  if (m === 0) out += pm !== undefined ? '' : h === 0 || h > 12 ? ' hundred' : " o'clock";
  else out += m < 10 ? ` oh ${enCardinal(String(m))}` : ` ${enCardinal(String(m))}`;
  if (s !== undefined && s > 0) out += ` and ${enCardinal(String(s))} ${s === 1 ? 'second' : 'seconds'}`;
  if (pm !== undefined) out += pm ? ' p m' : ' a m';
  return out;
}

/** Digit by digit, groups apart; in Chinese 1 is 幺 (reference brief) and + is 加. */
export function readTelephone({ text, lang }: { text: string; lang: ReadingLanguage }): string {
  const groups = text.split(/[^\d+]+/).filter((group) => group !== '');
  const read = groups.map((group) => {
    const plus = group.startsWith('+');
    const digits = group.replace(/\D/g, '');
    if (lang === 'zh') return (plus ? '加' : '') + zhDigits(digits, { telephone: true });
    return (plus ? 'plus ' : '') + enDigits(digits);
  });
  return read.join(lang === 'zh' ? ' ' : ', ');
}

const CURRENCIES: Readonly<Record<string, { zh: string; en: { one: string; many: string; cent?: { one: string; many: string } } }>> = {
  $: { zh: '美元', en: { one: 'dollar', many: 'dollars', cent: { one: 'cent', many: 'cents' } } },
  '€': { zh: '欧元', en: { one: 'euro', many: 'euros', cent: { one: 'cent', many: 'cents' } } },
  '£': { zh: '英镑', en: { one: 'pound', many: 'pounds', cent: { one: 'penny', many: 'pence' } } },
  '¥': { zh: '元', en: { one: 'yuan', many: 'yuan' } },
  '￥': { zh: '元', en: { one: 'yuan', many: 'yuan' } },
};

/** Powers of ten of the scale words an amount may carry ("$2.5 million", "¥1.5万"). */
const SCALES: Readonly<Record<string, number>> = { thousand: 3, million: 6, billion: 9, trillion: 12, 千: 3, 万: 4, 百万: 6, 千万: 7, 亿: 8, 万亿: 12 };

export function readMoney({ symbol, amount, scale, lang }: { symbol: string; amount: string; scale?: string; lang: ReadingLanguage }): string {
  const currency = CURRENCIES[symbol] ?? CURRENCIES.$;
  if (scale !== undefined && SCALES[scale.toLowerCase()] !== undefined) return readScaledMoney({ currency, amount: amount.replace(/,/g, ''), scale: scale.toLowerCase(), lang });
  if (lang === 'zh') return currency.zh === '元' ? zhYuan(amount) : (/^\d+$/.test(amount) ? zhCount(amount) : zhNumber(amount)) + currency.zh;
  // Trailing zeros of a decimal reading are noise: "¥12.50" → "twelve point five yuan".
  const trimmed = currency.en.cent ? amount : amount.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return enMoney(trimmed, currency.en);
}

/**
 * An amount with a scale word is a number, not dollars and cents: "$2.5 million" → "two point five million dollars",
 * ¥1.5万 → 一点五万元. A scale from the other language is converted: "$2.5 billion" in Chinese is 二十五亿美元.
 */
function readScaledMoney({ currency, amount, scale, lang }: {
  currency: (typeof CURRENCIES)[string];
  amount: string;
  scale: string;
  lang: ReadingLanguage;
}): string {
  const english = /^[a-z]+$/.test(scale);
  const power = SCALES[scale];
  if (lang === 'zh') {
    if (!english) return zhScaled(amount) + scale + currency.zh;
    const [unit, unitPower] = power >= 12 ? ['万亿', 12] : power >= 8 ? ['亿', 8] : power >= 4 ? ['万', 4] : ['', 0];
    return zhScaled(shiftDecimal(amount, power - unitPower)) + unit + currency.zh;
  }
  if (english) return `${enNumber(amount)} ${scale} ${currency.en.many}`;
  return enMoney(shiftDecimal(amount, power), { one: currency.en.one, many: currency.en.many });
}

/** A number before 千/万/亿: a lone 2 is 两 (两万元). */
function zhScaled(amount: string): string {
  return amount === '2' ? '两' : zhNumber(amount);
}

/** "2.5" moved 9 places → "2500000000": scaling in the digit string, free of floating-point error. */
function shiftDecimal(amount: string, places: number): string {
  const [integer, fraction = ''] = amount.split('.');
  const digits = integer + fraction;
  const point = integer.length + places;
  const shifted = point >= digits.length ? digits.padEnd(point, '0') : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return shifted.replace(/^0+(?=\d)/, '');
}
