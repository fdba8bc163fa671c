/** Readings for SSML <say-as interpret-as="...">. Pure; falls back to ordinary normalisation when the text does not fit. */
import type { SayAsKind } from './inline.models.js';
import type { ReadingLanguage } from './language.models.js';
import { enCardinal, enDigits, enOrdinal } from './numbers-en.models.js';
import { zhCardinal, zhDigits } from './numbers-zh.models.js';
import { normalizeText, readDate, readMoney, readNumber, readTelephone, readTime } from './normalize.models.js';

export function readSayAs({ kind, format, text, lang }: {
  kind: SayAsKind;
  format?: string;
  text: string;
  lang: ReadingLanguage;
}): string {
  const trimmed = text.trim();
  const fallback = () => normalizeText({ text: trimmed, language: lang });
  switch (kind) {
    case 'cardinal': {
      const compact = trimmed.replace(/\s/g, '');
      return /^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$/.test(compact) ? readNumber(compact, lang) : fallback();
    }
    case 'ordinal': {
      const digits = /^(?:第)?(\d+)(?:st|nd|rd|th)?$/.exec(trimmed.replace(/[\s,]/g, ''))?.[1];
      if (digits === undefined) return fallback();
      return lang === 'zh' ? `第${zhCardinal(digits, { ordinal: true })}` : enOrdinal(digits);
    }
    case 'digits':
      return [...trimmed].map((char) => (/\d/.test(char) ? (lang === 'zh' ? zhDigits(char) : enDigits(char)) : char))
        .join(lang === 'zh' ? '' : ' ').replace(/\s+/g, ' ');
    case 'telephone':
      return /\d/.test(trimmed) ? readTelephone({ text: trimmed, lang }) : trimmed;
    case 'date':
      return readSayAsDate({ text: trimmed, format, lang }) ?? fallback();
    case 'time': {
      const match = /^(\d{1,2})[:：点](\d{1,2})(?:[:：分](\d{1,2})秒?)?分?\s*([AaPp]\.?[Mm]\.?)?$/.exec(trimmed);
      if (!match) return fallback();
      return readTime({ hour: match[1], minute: match[2], second: match[3], ampm: match[4], lang }) ?? fallback();
    }
    case 'currency':
      return readSayAsCurrency({ text: trimmed, lang }) ?? fallback();
    case 'characters':
      return spellOut(trimmed, lang);
    case 'verbatim':
      return fallback();
  }
}

function readSayAsDate({ text, format, lang }: { text: string; format?: string; lang: ReadingLanguage }): string | undefined {
  let match = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?$/.exec(text);
  if (match) return readDate({ year: match[1], month: match[2], day: match[3], lang });
  match = /^(\d{4})(\d{2})(\d{2})$/.exec(text);
  if (match) return readDate({ year: match[1], month: match[2], day: match[3], lang });
  match = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(text);
  if (match) {
    // W3C formats: "dmy" puts the day first; otherwise month first unless that cannot be a month.
    const dayFirst = format === 'dmy' || Number(match[1]) > 12;
    return readDate({ year: match[3], month: dayFirst ? match[2] : match[1], day: dayFirst ? match[1] : match[2], lang });
  }
  match = /^(\d{4})[-/.年](\d{1,2})月?$/.exec(text);
  if (match) return readDate({ year: match[1], month: match[2], lang });
  match = /^(\d{1,2})[-/.月](\d{1,2})[日号]?$/.exec(text);
  if (match) {
    const dayFirst = format === 'dm' || Number(match[1]) > 12;
    return readDate({ month: dayFirst ? match[2] : match[1], day: dayFirst ? match[1] : match[2], lang });
  }
  return undefined;
}

const CODE_SYMBOLS: Readonly<Record<string, string>> = { USD: '$', CNY: '¥', RMB: '¥', EUR: '€', GBP: '£', 元: '¥', 美元: '$', 欧元: '€', 英镑: '£' };

function readSayAsCurrency({ text, lang }: { text: string; lang: ReadingLanguage }): string | undefined {
  const compact = text.replace(/\s/g, '');
  const match = /^([$¥￥€£]|USD|CNY|RMB|EUR|GBP)?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(USD|CNY|RMB|EUR|GBP|元|美元|欧元|英镑)?$/i.exec(compact);
  if (!match) return undefined;
  const code = (match[1] ?? match[3])?.toUpperCase();
  const symbol = code === undefined ? (lang === 'zh' ? '¥' : '$') : (CODE_SYMBOLS[code] ?? CODE_SYMBOLS[match[3] ?? ''] ?? code);
  return readMoney({ symbol, amount: match[2], lang });
}

/** Letter by letter and digit by digit: "IBM" → "I B M", "A1" → "A one" / "A一". */
function spellOut(text: string, lang: ReadingLanguage): string {
  const parts: string[] = [];
  for (const char of text) {
    if (/\s/.test(char)) continue;
    if (/\d/.test(char)) parts.push(lang === 'zh' ? zhDigits(char) : enCardinal(char));
    else parts.push(/[a-z]/.test(char) ? char.toUpperCase() : char);
  }
  return parts.join(' ');
}
