/**
 * Two quantities joined by a dash, tilde or colon: a range ("5-10分钟" → 五到十分钟, "2020-2024" → "twenty twenty to
 * twenty twenty-four") or, after 比分/比例, a score or ratio (比分3:2 → 三比二). Pure; the caller reads each side,
 * so "20%" or "1月5日" on either side keeps its ordinary reading. Telephone numbers (138-0013-8000, 555-1234) and
 * dates (2024-01-05) are refused here and read by the ordinary rules.
 */
import type { ReadingLanguage } from './language.models.js';
import { enYear, isYearLike } from './numbers-en.models.js';
import { ZH_SCALE_WORDS, zhDigits } from './numbers-zh.models.js';
import { UNIT_SUFFIX } from './units.models.js';

const NUMBER = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`;
/** One side: a date or time with its Chinese units, a clock time, or a number with an optional percent sign or unit (5-10km, 30-40°). */
const SIDE = [
  String.raw`\d{4}年(?:\d{1,2}月(?:\d{1,2}[日号])?)?`,
  String.raw`\d{1,2}月(?:\d{1,2}[日号])?`,
  String.raw`\d{1,2}[日号]`,
  String.raw`\d{1,2}点(?:\d{1,2}分)?`,
  String.raw`\d{1,2}[:：]\d{2}`,
  String.raw`(?:${NUMBER})(?:[%％]|${ZH_SCALE_WORDS}|${UNIT_SUFFIX})?`,
].join('|');

/**
 * Sticky, tried before the ordinary token rules. A hyphen joins without spaces (spaced, it may be a minus); a tilde
 * or en dash may have spaces and a negative second side (-5～3℃). A side glued to letters or to more digits and
 * separators ("A1-2", "1-800-FLOWERS", "1-2-3") is not a range.
 */
export const SPAN_PATTERN = new RegExp(
  String.raw`(?<![\w.:/\-−])(?<a>[-−]?(?:${SIDE}))(?<sep>-|\s?[~～〜–]\s?|[:：])(?<b>[-−]?(?:${SIDE}))(?![\d%％℃℉°]|[-–]\w|[.:/]\d|\s?(?:[ap]\.?m\b\.?|[AP]M\b))`,
  'y',
);

const BARE = new RegExp(String.raw`^[-−]?(?:${NUMBER})$`);
const LEADING_ZERO = /^0\d/;
/** What a count of things is followed by; a year pair followed by one of these is a quantity (1000-2000元). */
const ZH_QUANTITY = /^(?:[元块角人个位名次件张本台辆家份只条米克吨升斤岁天周倍页户套所座万亿千百]|公里|千米|小时|分钟|美元|欧元|英镑)/;
const SCORE_CUE = /(?:比分|比例)(?:是|为)?[:：]?\s*$/;

/** Reads one side; `lead` is the text before it and `tail` the text after, for context (第, 个, 年). */
export type ReadSide = (side: string, context: { lead?: string; tail?: string }) => string;

/** The spoken span, or undefined when the two numbers are not a range (a telephone number, a clock time). */
export function readSpan({ a, sep, b, lang, before, after, read }: {
  a: string;
  sep: string;
  b: string;
  lang: ReadingLanguage;
  before: string;
  after: string;
  read: ReadSide;
}): string | undefined {
  const separator = sep.trim();
  const integers = /^\d+$/.test(a) && /^\d+$/.test(b);
  if (SCORE_CUE.test(before) && integers && /^[-:：]$/.test(separator)) {
    return `${read(a, { lead: before })}${lang === 'zh' ? '比' : ' to '}${read(b, {})}`;
  }
  // 14:30 is a clock time, and "--5" is not a range.
  if (separator !== '-' ? /^[:：]$/.test(separator) : /^[-−]/.test(b)) return undefined;
  const join = lang === 'zh' ? '到' : ' to ';
  const aBare = BARE.test(a);
  if (aBare && BARE.test(b)) {
    const counted = lang === 'zh' && (after.startsWith('年') || ZH_QUANTITY.test(after));
    if (isYearPair(a, b) && !counted) return lang === 'zh' ? zhDigits(a) + join + zhDigits(b) : enYear(a) + join + enYear(b);
    // A hyphen between a leading zero or seven digits and more is a telephone number, unless a unit says it counts.
    if (separator === '-' && (LEADING_ZERO.test(a) || LEADING_ZERO.test(b) || (digitCount(a) + digitCount(b) >= 7 && !counted))) {
      return undefined;
    }
    // Arithmetic (5-3=2) is not a range: the ordinary rules read it.
    if (/^\s*[=＝]/.test(after)) return undefined;
    // A shortened second side (1990-95, 2019-20, pages 110-15) continues the first one's leading digits.
    if (separator === '-' && integers && b.length < a.length && a.length >= 3 && Number(b) > Number(a.slice(-b.length))) {
      if (isYearLike(a)) return lang === 'zh' ? zhDigits(a) + join + zhDigits(b) : enYear(a) + join + read(b, { tail: after });
      return read(a, { lead: before }) + join + read(b, { tail: after });
    }
    // A hyphen between a number and a smaller one is a figure number or a score (图3-1, 3-1战胜), not a range. eSpeak
    // drops a hyphen between Chinese numerals (十-二 is heard as 十二, twelve), so Chinese keeps the two apart.
    if (separator === '-' && valueOf(a) >= valueOf(b)) return lang === 'zh' && integers ? `${read(a, { lead: before })}，${read(b, {})}` : undefined;
  }
  // A bare first side borrows the second side's unit as context: 2-3个 → 两到三个, 2020-2024年 → 二零二零到二零二四年.
  const unit = aBare ? b.replace(/^[-−]?[\d,.]+/, '') : '';
  // 20-30% means 20% to 30%: Chinese says the percent on both sides (the English "twenty to thirty percent" needs nothing).
  const first = lang === 'zh' && /^[%％]$/.test(unit) ? a + unit : a;
  // 2020年-2024: the second side is a year too.
  const secondTail = /年$/.test(a) && /^\d{4}$/.test(b) ? '年' : after;
  return read(first, { lead: before, tail: unit + after }) + join + read(b, { tail: secondTail });
}

/** Two four-digit numbers that read as years, the earlier first. */
function isYearPair(a: string, b: string): boolean {
  return isYearLike(a) && isYearLike(b) && Number(a) < Number(b);
}

function valueOf(side: string): number {
  return Number(side.replace(/,/g, '').replace('−', '-'));
}

function digitCount(side: string): number {
  return side.replace(/\.\d*$/, '').replace(/\D/g, '').length;
}
