/**
 * Units of measurement after a number: 他重70kg → 七十公斤, "10 km" → "ten kilometers". Pure. eSpeak spells an
 * unknown abbreviation letter by letter ("K G") and says nothing for °, so the unit is read with its number.
 *
 * A unit is one only right after a number: glued (70kg), after one space (10 km), or after a hyphen in an English
 * compound adjective (a 10-km race → "a ten-kilometer race"), and only as a whole word: the m of "I'm", "5kmph" and
 * "5m2" are left as they are. A number glued to letters (A4, Win10) has no unit. Ambiguous spellings are left alone or
 * only read glued:
 * - capital M, G, K, B after a number are million, the 5G network, 4K video: not units (5m is five meters);
 * - s and d are not units: "30s" is a decade or a plural as often as seconds;
 * - single letters that are also words or abbreviations (in, t, h, L, l, W, V, °) are units only glued: "6 in a row",
 *   "500 W Main St", "3 W 2 L" keep their letters, while "6in", "5t", "24h", "2L", "100W", "5V", "30°" are units;
 * - the A of "5A景区" (a scenic-spot grade) is not amperes, so amperes are left out (mAh, a battery's capacity, is in).
 */
import type { ReadingLanguage } from './language.models.js';

export interface Unit {
  /** Said after the number: 七十公斤, 六十公里每小时 (the written order, so 60-80km/h stays 六十到八十公里每小时). */
  zh: string;
  /** Singular and plural. */
  en: readonly [one: string, many: string];
  /** May follow a space or hyphen ("10 km"); letters that are also words must be glued ("6in", "5t"). */
  spaced: boolean;
  /** A lone 2 before it is 两 (两公斤, 两G); degrees keep 二, as 2℃ always has (零下二度). */
  liang: boolean;
}

function unit(zh: string, one: string, many: string, options: { glued?: boolean; er?: boolean } = {}): Unit {
  return { zh, en: [one, many], spaced: !options.glued, liang: !options.er };
}

/**
 * Written forms and their readings. Chinese says what speakers say: 公斤 and 公里 (not 千克, 千米); storage in the
 * letters people use (8GB → 八G, 1TB → 一T, 500KB → 五百K) and 兆 for MB (五百兆), since 吉字节 is never said; the
 * SI names for frequency, as news readers say them (3.2GHz → 三点二吉赫兹).
 */
const TABLE: ReadonlyArray<readonly [readonly string[], Unit]> = [
  // Mass
  [['kg', 'Kg', 'KG', 'kgs'], unit('公斤', 'kilogram', 'kilograms')],
  [['g'], unit('克', 'gram', 'grams')],
  [['mg'], unit('毫克', 'milligram', 'milligrams')],
  [['t'], unit('吨', 'tonne', 'tonnes', { glued: true })],
  [['lb', 'lbs'], unit('磅', 'pound', 'pounds')],
  [['oz'], unit('盎司', 'ounce', 'ounces')],
  // Length
  [['km', 'Km', 'KM'], unit('公里', 'kilometer', 'kilometers')],
  [['m'], unit('米', 'meter', 'meters')],
  [['cm', 'CM'], unit('厘米', 'centimeter', 'centimeters')],
  [['mm', 'MM'], unit('毫米', 'millimeter', 'millimeters')],
  [['μm', 'µm'], unit('微米', 'micrometer', 'micrometers')],
  [['nm'], unit('纳米', 'nanometer', 'nanometers')],
  [['mi'], unit('英里', 'mile', 'miles')],
  [['yd', 'yds'], unit('码', 'yard', 'yards')],
  [['ft'], unit('英尺', 'foot', 'feet')],
  [['in'], unit('英寸', 'inch', 'inches', { glued: true })],
  // Area and volume
  [['m²', '㎡'], unit('平方米', 'square meter', 'square meters')],
  [['km²', '㎢'], unit('平方公里', 'square kilometer', 'square kilometers')],
  [['cm²'], unit('平方厘米', 'square centimeter', 'square centimeters')],
  [['m³'], unit('立方米', 'cubic meter', 'cubic meters')],
  [['L', 'l'], unit('升', 'liter', 'liters', { glued: true })],
  [['ml', 'mL', 'ML'], unit('毫升', 'milliliter', 'milliliters')],
  // Speed
  [['km/h', 'km/hr', 'KM/H', 'kph'], unit('公里每小时', 'kilometer per hour', 'kilometers per hour')],
  [['m/s'], unit('米每秒', 'meter per second', 'meters per second')],
  [['mph'], unit('英里每小时', 'mile per hour', 'miles per hour')],
  // Angle and temperature
  [['°'], unit('度', 'degree', 'degrees', { glued: true, er: true })],
  [['°C', '℃'], unit('摄氏度', 'degree Celsius', 'degrees Celsius', { er: true })],
  [['°F', '℉'], unit('华氏度', 'degree Fahrenheit', 'degrees Fahrenheit', { er: true })],
  // Electricity
  [['kWh', 'KWh', 'kwh'], unit('千瓦时', 'kilowatt hour', 'kilowatt hours')],
  [['kW', 'KW'], unit('千瓦', 'kilowatt', 'kilowatts')],
  [['W'], unit('瓦', 'watt', 'watts', { glued: true })],
  [['V'], unit('伏', 'volt', 'volts', { glued: true })],
  [['mAh', 'mah'], unit('毫安时', 'milliamp hour', 'milliamp hours')],
  // Data
  [['KB', 'kB'], unit('K', 'kilobyte', 'kilobytes')],
  [['MB'], unit('兆', 'megabyte', 'megabytes')],
  [['GB'], unit('G', 'gigabyte', 'gigabytes')],
  [['TB'], unit('T', 'terabyte', 'terabytes')],
  // Frequency
  [['Hz'], unit('赫兹', 'hertz', 'hertz')],
  [['kHz', 'KHz'], unit('千赫兹', 'kilohertz', 'kilohertz')],
  [['MHz'], unit('兆赫兹', 'megahertz', 'megahertz')],
  [['GHz'], unit('吉赫兹', 'gigahertz', 'gigahertz')],
  // Time
  [['ms'], unit('毫秒', 'millisecond', 'milliseconds')],
  [['sec', 'secs'], unit('秒', 'second', 'seconds')],
  [['min', 'mins'], unit('分钟', 'minute', 'minutes')],
  [['hr', 'hrs'], unit('小时', 'hour', 'hours')],
  [['h'], unit('小时', 'hour', 'hours', { glued: true })],
];

const UNITS: ReadonlyMap<string, Unit> = new Map(TABLE.flatMap(([spellings, entry]) => spellings.map((spelling) => [spelling, entry] as const)));

/**
 * One written form with what may not follow it: a unit ending in a letter may not run on into letters or digits
 * (5kmph, 5m2, 1V1 are not read); a symbol (30°N, 20℃) may.
 */
function alternative(spelling: string): string {
  const escaped = spelling.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return /[A-Za-z]$/.test(spelling) ? `${escaped}(?![A-Za-z\\d_])` : escaped;
}

/** Longest first, so km/h wins over km and mph over m. */
const byLength = [...UNITS.keys()].sort((a, b) => b.length - a.length);
const ALL = byLength.map(alternative).join('|');
const SPACED = byLength.filter((spelling) => UNITS.get(spelling)!.spaced).map(alternative).join('|');
const JOINER = '[ \\u00a0\\u202f-]';

/** A unit right after a number, as a regular expression source without groups (ranges.models.ts puts it in each side). */
export const UNIT_SUFFIX = `(?:${JOINER}(?:${SPACED})|(?:${ALL}))`;

const UNIT_AT = new RegExp(`(?<joiner>${JOINER})?(?<written>${ALL})`, 'y');

export interface UnitMatch {
  unit: Unit;
  /** Written with a hyphen: an English compound adjective (a 10-km race). */
  hyphen: boolean;
  /** Where the unit ends in the text. */
  end: number;
}

/** The unit written at `index` of `text`, if there is one there (with its space or hyphen). */
export function unitAt(text: string, index: number): UnitMatch | undefined {
  UNIT_AT.lastIndex = index;
  const found = UNIT_AT.exec(text);
  if (!found) return undefined;
  const entry = UNITS.get(found.groups!.written!)!;
  const joiner = found.groups!.joiner;
  if (joiner !== undefined && !entry.spaced) return undefined;
  return { unit: entry, hyphen: joiner === '-', end: index + found[0].length };
}

/**
 * The unit after a number that ends at `index`; `before` is the text before the number. A number glued to letters is
 * part of a name (A4, Win10, MP3), and what follows it is not its unit, except after the x of a size (10x20cm).
 */
export function unitAfterNumber({ text, index, before }: { text: string; index: number; before: string }): UnitMatch | undefined {
  if (/[A-Za-z]$/.test(before) && !/\d[xX]$/.test(before)) return undefined;
  return unitAt(text, index);
}

/**
 * The number (already spoken) with its unit: 七十 + kg → 七十公斤; "six" + ft → "six feet", "one" + ft → "one foot",
 * and with a hyphen the singular of a compound adjective: "ten-kilometer".
 */
export function readWithUnit({ spoken, match, lang }: { spoken: string; match: UnitMatch; lang: ReadingLanguage }): string {
  if (lang === 'zh') return spoken + match.unit.zh;
  const [one, many] = match.unit.en;
  if (match.hyphen) return `${spoken}-${one}`;
  return `${spoken} ${spoken === 'one' ? one : many}`;
}
