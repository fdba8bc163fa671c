/** Chinese readings of numbers. Pure; inputs are digit strings so long numbers keep every digit. */

const DIGITS = '零一二三四五六七八九';
const SMALL_UNITS = ['', '十', '百', '千'];
const BIG_UNITS = ['', '万', '亿', '万亿'];

/** Digit by digit: "2024" → "二零二四". `telephone` reads 1 as 幺, as Chinese speakers do in phone numbers. */
export function zhDigits(digits: string, options: { telephone?: boolean } = {}): string {
  let out = '';
  for (const char of digits) {
    if (char >= '0' && char <= '9') out += options.telephone && char === '1' ? '幺' : DIGITS[Number(char)];
  }
  return out;
}

/**
 * An integer as a Chinese cardinal: "10086" → "一万零八十六", "2000" → "两千". Over 16 digits it is read digit by
 * digit. `ordinal` is for numbers after 第, which keep 二 (第二千名).
 */
export function zhCardinal(integer: string, options: { ordinal?: boolean } = {}): string {
  const digits = integer.replace(/^0+(?=\d)/, '');
  if (digits.length > 16) return zhDigits(digits);
  if (/^0+$/.test(digits)) return '零';
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 4) groups.unshift(digits.slice(Math.max(0, end - 4), end));
  let out = '';
  let zeroPending = false;
  groups.forEach((group, index) => {
    let unit = BIG_UNITS[groups.length - 1 - index];
    // Over a 万亿 the 亿 group still follows: 1,2345,0000,0000 is 一万二千三百四十五亿, the 万 of the 亿s,
    // so the top group takes 万 alone unless no 亿 group comes after it (一万亿).
    if (unit === '万亿' && Number(groups[index + 1]) !== 0) unit = '万';
    const value = Number(group);
    if (value === 0) {
      if (out !== '') zeroPending = true;
      return;
    }
    // A group under 1000 after a higher group needs a 零: 10086 → 一万零八十六.
    if (out !== '' && (zeroPending || value < 1000)) out += '零';
    zeroPending = false;
    out += readGroup(group.padStart(4, '0')) + unit;
  });
  // 10–19 at the start read 十…, not 一十…
  if (out.startsWith('一十')) out = out.slice(1);
  // Speakers say 两千, 两万, 两亿 for a leading 2 before those units; 二十 and 二百 keep 二.
  if (!options.ordinal && /^二[千万亿]/.test(out)) out = '两' + out.slice(1);
  return out;
}

function readGroup(group: string): string {
  let out = '';
  let zero = false;
  for (let i = 0; i < 4; i++) {
    const digit = Number(group[i]);
    if (digit === 0) {
      if (out !== '') zero = true;
      continue;
    }
    if (zero) out += '零';
    zero = false;
    out += DIGITS[digit] + SMALL_UNITS[3 - i];
  }
  return out;
}

/** "3.14" → "三点一四", "-5" → "负五", "1,234" → "一千二百三十四". `ordinal`: see zhCardinal. */
export function zhNumber(text: string, options: { ordinal?: boolean } = {}): string {
  const match = /^([+-]?)([\d,]*)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return text;
  const [, sign, integer, fraction] = match;
  let out = sign === '-' ? '负' : '';
  const intDigits = integer.replace(/,/g, '');
  out += intDigits === '' ? '零' : zhCardinal(intDigits, options);
  if (fraction !== undefined) out += '点' + zhDigits(fraction);
  return out;
}

/** Measure words and units after which a lone 2 is read 两 ("2个" → "两个", "2点" → "两点", "2亿" → "两亿", "2元" → "两元"). */
export const LIANG_MEASURE_WORDS = /^(?:千|万|亿|元|美元|欧元|英镑|角|毛|个|位|只|本|次|张|条|件|天|点|岁|年|周|种|名|台|辆|家|份|杯|斤|公里|千米|米|小时|分钟|秒钟|倍|口|双|对|块|层|间|句|遍)/;

/**
 * Whole-yuan amount with jiao and fen: "12.50" → "十二元五角", "2" → "两元" (2 before a measure word is
 * 两), "0.5" → "五角" (no one says 零元 before the jiao).
 */
export function zhYuan(amount: string): string {
  const [integer, fraction = ''] = amount.replace(/,/g, '').split('.');
  if (fraction.length > 2) return zhNumber(amount.replace(/,/g, '')) + '元';
  const jiao = fraction[0] ?? '0';
  const fen = fraction[1] ?? '0';
  const whole = integer || '0';
  const noYuan = /^0+$/.test(whole) && (jiao !== '0' || fen !== '0');
  let out = noYuan ? '' : zhCount(whole) + '元';
  if (jiao !== '0') out += zhCount(jiao) + '角';
  if (fen !== '0') out += (jiao === '0' && !noYuan ? '零' : '') + zhCount(fen) + '分';
  return out;
}

/** A whole number of things before a measure word: a lone 2 is 两 (两元, 两角, 两个). */
export function zhCount(integer: string): string {
  return /^0*2$/.test(integer) ? '两' : zhCardinal(integer);
}

/** Scale words written after a number (2万, ¥1.5亿, 3千万), longest first, as a regular expression source. */
export const ZH_SCALE_WORDS = '万亿|千万|百万|[千万亿]';

/** "3/4" → "四分之三": the denominator first, as Chinese says it. */
export function zhFraction(numerator: string, denominator: string): string {
  return `${zhCardinal(denominator)}分之${zhCardinal(numerator)}`;
}
