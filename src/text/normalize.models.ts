/**
 * Text normalisation: numbers, dates, times, money, phone numbers and ordinals become words in the
 * language around them, so every engine reads them the same way. Pure functions; display text is
 * never touched, only what the engine is given.
 */
import { type ReadingLanguage, languageAround } from './language.models.js';
import { MONTHS, enCardinal, enDigits, enMoney, enNumber, enOrdinal, enYear } from './numbers-en.models.js';
import { LIANG_MEASURE_WORDS, zhCardinal, zhDigits, zhNumber, zhYuan } from './numbers-zh.models.js';

const PATTERN = new RegExp(
  [
    String.raw`(?<isoDate>(?<![\d.])(?<iy>\d{4})(?<sep>[-/.])(?<im>\d{1,2})\k<sep>(?<id>\d{1,2})(?![\d.]))`,
    String.raw`(?<usDate>(?<![\d/])(?<um>\d{1,2})/(?<ud>\d{1,2})/(?<uy>\d{4})(?![\d/]))`,
    String.raw`(?<time>(?<![\d:])(?<th>\d{1,2}):(?<tm>\d{2})(?::(?<ts>\d{2}))?(?![\d:])(?:\s?(?<ampm>[AaPp]\.?[Mm]\.?)(?![A-Za-z]))?)`,
    String.raw`(?<mobile>(?<![\d+])1[3-9]\d{9}(?!\d))`,
    String.raw`(?<phone>(?<![\w.])(?:\+\d{1,3}[ -]?)?(?:\(\d{2,4}\)[ -]?)?\d{2,5}(?:-\d{2,8}){1,3}(?![\d-]))`,
    String.raw`(?<money>(?<cur>[$¥￥€£])\s?(?<amount>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?))`,
    String.raw`(?<range>(?<![\d.])(?<r1>\d+(?:\.\d+)?)\s?[~～](?<r2>\d+(?:\.\d+)?)(?![\d.]))`,
    String.raw`(?<number>(?<neg>(?<![\w.])-)?(?<num>\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?<frac>\.\d+)?(?<pct>[%％])?(?<ord>(?:st|nd|rd|th)(?![A-Za-z]))?(?<deg>℃|℉|°C|°F)?)`,
  ].join('|'),
  'g',
);

/** Where a token can start: a digit, a currency sign, or the sign/bracket of a number or phone number. */
const TOKEN_START = /[\d$¥￥€£+(-]/g;
const STICKY_PATTERN = new RegExp(PATTERN.source, 'y');

/** Rewrites every number-like token in `text` into words. `language` decides where the text around a token does not. */
export function normalizeText({ text, language }: { text: string; language: ReadingLanguage }): string {
  if (!/\d/.test(text)) return text;
  // The big pattern is only tried where a token can start: trying it at every index costs ten times more.
  let out = '';
  let copied = 0;
  TOKEN_START.lastIndex = 0;
  let candidate: RegExpExecArray | null;
  while ((candidate = TOKEN_START.exec(text)) !== null) {
    STICKY_PATTERN.lastIndex = candidate.index;
    const found = STICKY_PATTERN.exec(text);
    if (!found || found[0] === '') continue;
    const match = found[0];
    const start = found.index;
    const end = start + match.length;
    const lang = languageAround({ text, start, end, fallback: language });
    const spoken = readToken({ groups: found.groups ?? {}, match, lang, after: text.slice(end, end + 4) });
    if (spoken !== undefined) {
      out += text.slice(copied, start) + padLatin({ spoken, lang, text, start, end });
      copied = end;
    }
    TOKEN_START.lastIndex = end;
  }
  return out + text.slice(copied);
}

/** English words glued to neighbouring letters would merge ("5apples"): keep a space around them. */
function padLatin({ spoken, lang, text, start, end }: { spoken: string; lang: ReadingLanguage; text: string; start: number; end: number }): string {
  if (lang !== 'en') return spoken;
  const before = start > 0 && /[A-Za-z0-9]/.test(text[start - 1]) ? ' ' : '';
  const after = end < text.length && /[A-Za-z0-9]/.test(text[end]) ? ' ' : '';
  return before + spoken + after;
}

function readToken({ groups, match, lang, after }: {
  groups: Record<string, string | undefined>;
  match: string;
  lang: ReadingLanguage;
  after: string;
}): string | undefined {
  if (groups.isoDate) return readDate({ year: groups.iy!, month: groups.im!, day: groups.id!, lang });
  if (groups.usDate) {
    // Month first (US) unless the first number cannot be a month.
    const first = Number(groups.um);
    const [month, day] = first > 12 ? [groups.ud!, groups.um!] : [groups.um!, groups.ud!];
    return readDate({ year: groups.uy!, month, day, lang });
  }
  if (groups.time) return readTime({ hour: groups.th!, minute: groups.tm!, second: groups.ts, ampm: groups.ampm, lang });
  if (groups.mobile) return readTelephone({ text: match, lang });
  if (groups.phone) {
    const digitCount = match.replace(/\D/g, '').length;
    if (digitCount >= 7) return readTelephone({ text: match, lang });
    const parts = match.split('-');
    // "10-20" is a range, not a phone number.
    if (parts.length === 2) return `${readNumber(parts[0], lang)}${lang === 'zh' ? '到' : ' to '}${readNumber(parts[1], lang)}`;
    return parts.map((part) => readNumber(part, lang)).join(lang === 'zh' ? '，' : ', ');
  }
  if (groups.money) return readMoney({ symbol: groups.cur!, amount: groups.amount!, lang });
  if (groups.range) return `${readNumber(groups.r1!, lang)}${lang === 'zh' ? '到' : ' to '}${readNumber(groups.r2!, lang)}`;
  if (groups.number) return readNumberToken({ groups, lang, after });
  return undefined;
}

function readNumberToken({ groups, lang, after }: { groups: Record<string, string | undefined>; lang: ReadingLanguage; after: string }): string {
  const num = groups.num!;
  const frac = groups.frac ?? '';
  const sign = groups.neg ? '-' : '';
  let spoken: string;
  if (groups.ord) {
    spoken = enOrdinal(num.replace(/,/g, ''));
    return spoken;
  }
  if (num.length > 1 && num.startsWith('0') && frac === '') {
    // "007", "0086": an identifier, read digit by digit.
    spoken = lang === 'zh' ? zhDigits(num) : enDigits(num);
  } else if (lang === 'zh') {
    if (/^\d{4}$/.test(num) && frac === '' && !sign && after.startsWith('年')) spoken = zhDigits(num);
    else if (num === '2' && frac === '' && !sign && !groups.pct && LIANG_MEASURE_WORDS.test(after)) spoken = '两';
    else spoken = zhNumber(sign + num + frac);
  } else {
    spoken = enNumber(sign + num + frac);
  }
  if (groups.pct) return lang === 'zh' ? `百分之${spoken}` : `${spoken} percent`;
  if (groups.deg) return spoken + degreeWord(groups.deg, lang, spoken);
  return spoken;
}

function degreeWord(symbol: string, lang: ReadingLanguage, spoken: string): string {
  const fahrenheit = symbol.includes('F') || symbol === '℉';
  if (lang === 'zh') return fahrenheit ? '华氏度' : '摄氏度';
  const degrees = spoken === 'one' ? 'degree' : 'degrees';
  return fahrenheit ? ` ${degrees} Fahrenheit` : ` ${degrees} Celsius`;
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
    out += (h === 2 ? '两' : zhCardinal(String(h))) + '点';
    if (m > 0 || (s !== undefined && s > 0)) out += (m < 10 && m > 0 ? '零' : '') + zhCardinal(String(m)) + '分';
    if (s !== undefined && s > 0) out += zhCardinal(String(s)) + '秒';
    return out;
  }
  let out = enCardinal(String(h));
  if (m === 0) out += pm === undefined ? " o'clock" : '';
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

export function readMoney({ symbol, amount, lang }: { symbol: string; amount: string; lang: ReadingLanguage }): string {
  const currency = CURRENCIES[symbol] ?? CURRENCIES.$;
  if (lang === 'zh') return currency.zh === '元' ? zhYuan(amount) : zhNumber(amount) + currency.zh;
  // Trailing zeros of a decimal reading are noise: "¥12.50" → "twelve point five yuan".
  const trimmed = currency.en.cent ? amount : amount.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return enMoney(trimmed, currency.en);
}
