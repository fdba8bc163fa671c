/** English readings of numbers. Pure; inputs are digit strings so long numbers keep every digit. */

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve',
  'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES = ['', 'thousand', 'million', 'billion', 'trillion', 'quadrillion'];

export function enDigits(digits: string): string {
  return [...digits].filter((char) => char >= '0' && char <= '9').map((char) => ONES[Number(char)]).join(' ');
}

function underThousand(value: number): string {
  const hundreds = Math.floor(value / 100);
  const rest = value % 100;
  const parts: string[] = [];
  if (hundreds > 0) parts.push(`${ONES[hundreds]} hundred`);
  if (rest > 0) parts.push(underHundred(rest));
  return parts.join(' ');
}

function underHundred(value: number): string {
  if (value < 20) return ONES[value];
  const tens = TENS[Math.floor(value / 10)];
  return value % 10 === 0 ? tens : `${tens}-${ONES[value % 10]}`;
}

/** "1234" → "one thousand two hundred thirty-four". Over 18 digits it is read digit by digit. */
export function enCardinal(integer: string): string {
  const digits = integer.replace(/^0+(?=\d)/, '');
  if (digits.length > 18) return enDigits(digits);
  if (/^0+$/.test(digits)) return 'zero';
  const groups: number[] = [];
  for (let end = digits.length; end > 0; end -= 3) groups.unshift(Number(digits.slice(Math.max(0, end - 3), end)));
  const parts: string[] = [];
  groups.forEach((group, index) => {
    if (group === 0) return;
    const scale = SCALES[groups.length - 1 - index];
    parts.push(scale ? `${underThousand(group)} ${scale}` : underThousand(group));
  });
  return parts.join(' ');
}

/** "3.14" → "three point one four", "-5" → "minus five", "1,234" → "one thousand two hundred thirty-four". */
export function enNumber(text: string): string {
  const match = /^([+-]?)([\d,]*)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return text;
  const [, sign, integer, fraction] = match;
  const intDigits = integer.replace(/,/g, '');
  let out = (sign === '-' ? 'minus ' : '') + (intDigits === '' ? 'zero' : enCardinal(intDigits));
  if (fraction !== undefined) out += ' point ' + enDigits(fraction);
  return out;
}

const ORDINAL_WORDS: Readonly<Record<string, string>> = {
  one: 'first', two: 'second', three: 'third', five: 'fifth', eight: 'eighth', nine: 'ninth', twelve: 'twelfth',
};

/** "21" → "twenty-first". */
export function enOrdinal(integer: string): string {
  const words = enCardinal(integer);
  return words.replace(/([a-z]+)$/, (word) => {
    if (ORDINAL_WORDS[word]) return ORDINAL_WORDS[word];
    if (word.endsWith('y')) return word.slice(0, -1) + 'ieth';
    return word + 'th';
  });
}

/** Four digits from 1100 to 2099: what a bare number may be read as a year in (1984, 2024; not 1000 or 3000). */
export function isYearLike(digits: string): boolean {
  return /^\d{4}$/.test(digits) && Number(digits) >= 1100 && Number(digits) <= 2099;
}

/** A year the way it is spoken: 1984 → "nineteen eighty-four", 2005 → "two thousand five", 1900 → "nineteen hundred". */
export function enYear(year: string): string {
  const value = Number(year);
  if (year.length !== 4 || value < 1000) return enCardinal(year);
  if (value >= 2000 && value <= 2009) return enCardinal(year);
  const high = Math.floor(value / 100);
  const low = value % 100;
  if (low === 0) return `${underHundred(high)} hundred`;
  if (low < 10) return `${underHundred(high)} oh ${ONES[low]}`;
  return `${underHundred(high)} ${underHundred(low)}`;
}

/** The decade a "1990s" or "'80s" names: "1990" → "nineteen nineties", "80" → "eighties", "2000" → "two thousands". */
export function enDecade(digits: string): string {
  const words = digits.length === 4 ? enYear(digits) : enCardinal(digits);
  return words.replace(/[a-z]+$/, (word) => (word.endsWith('y') ? word.slice(0, -1) + 'ies' : word + 's'));
}

/** "1/2" → "one half", "3/4" → "three quarters", "2/3" → "two thirds". */
export function enFraction(numerator: string, denominator: string): string {
  const d = Number(denominator);
  const one = d === 2 ? 'half' : d === 4 ? 'quarter' : enOrdinal(denominator);
  const many = d === 2 ? 'halves' : `${one}s`;
  return `${enCardinal(numerator)} ${Number(numerator) === 1 ? one : many}`;
}

export const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
  'November', 'December'];

/** Money with a major and a minor unit: ("3.99", dollar) → "three dollars and ninety-nine cents". */
export function enMoney(amount: string, currency: { one: string; many: string; cent?: { one: string; many: string } }): string {
  const [integer = '0', fraction] = amount.replace(/,/g, '').split('.');
  const major = integer === '' ? '0' : integer;
  if (!currency.cent || (fraction !== undefined && fraction.length > 2)) {
    const value = enNumber(fraction === undefined ? major : `${major}.${fraction}`);
    return `${value} ${value === 'one' ? currency.one : currency.many}`;
  }
  const minor = fraction === undefined ? 0 : Number(fraction.padEnd(2, '0'));
  const majorValue = Number(major);
  const majorText = `${enCardinal(major)} ${majorValue === 1 ? currency.one : currency.many}`;
  if (minor === 0) return majorText;
  const minorText = `${enCardinal(String(minor))} ${minor === 1 ? currency.cent.one : currency.cent.many}`;
  return majorValue === 0 ? minorText : `${majorText} and ${minorText}`;
}
