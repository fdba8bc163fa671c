/**
 * Pure text preparation for eSpeak NG. The bundled build always reads its input as SSML, so `<`,
 * `>` and `&` must be escaped, and eSpeak reports word positions in code points of what it was
 * given; this module escapes and maps those positions back to UTF-16 offsets of the caller's text.
 */

export interface PreparedText {
  /** What eSpeak receives. */
  text: string;
  /** UTF-16 offset in the original text of each code point of `text`, plus one entry for its end. */
  offsets: number[];
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

export function prepareEspeakText(original: string): PreparedText {
  let text = '';
  const offsets: number[] = [];
  let offset = 0;
  let previous = '';
  for (const char of original) {
    // `[[` switches eSpeak to phoneme-mnemonic input; plain text must stay plain.
    const safe = char === '[' && previous === '[' ? ' ' : char;
    const out = ESCAPES[safe] ?? safe;
    for (const cp of out) {
      text += cp;
      offsets.push(offset);
    }
    previous = char;
    offset += char.length;
  }
  offsets.push(original.length);
  return { text, offsets };
}

/**
 * Maps an eSpeak word event (1-based code-point position and length in the prepared text) to a
 * UTF-16 offset and length in the original text.
 */
export function mapWordPosition({ prepared, position, length }: { prepared: PreparedText; position: number; length: number }): {
  textOffset: number;
  textLength: number;
} {
  const last = prepared.offsets.length - 1;
  const startIndex = Math.min(Math.max(position - 1, 0), last);
  const endIndex = Math.min(startIndex + Math.max(length, 0), last);
  const textOffset = prepared.offsets[startIndex];
  return { textOffset, textLength: prepared.offsets[endIndex] - textOffset };
}

const TONE_MARKS: Record<string, [string, number]> = {
  ā: ['a', 1], á: ['a', 2], ǎ: ['a', 3], à: ['a', 4],
  ē: ['e', 1], é: ['e', 2], ě: ['e', 3], è: ['e', 4],
  ī: ['i', 1], í: ['i', 2], ǐ: ['i', 3], ì: ['i', 4],
  ō: ['o', 1], ó: ['o', 2], ǒ: ['o', 3], ò: ['o', 4],
  ū: ['u', 1], ú: ['u', 2], ǔ: ['u', 3], ù: ['u', 4],
  ǖ: ['v', 1], ǘ: ['v', 2], ǚ: ['v', 3], ǜ: ['v', 4],
  ü: ['v', 0],
};

/**
 * Pinyin as eSpeak's `cmn-latn-pinyin` voice reads it: tone numbers after each syllable (`ni3 hao3`)
 * and `v` for ü. Tone-marked syllables (`nǐ hǎo`) are converted when separated by spaces or
 * punctuation; numbered pinyin passes through unchanged.
 */
export function toEspeakPinyin(pinyin: string): string {
  return pinyin.normalize('NFC').replace(/[\p{L}]+[1-5]?/gu, (syllable) => {
    let tone = 0;
    let out = '';
    for (const char of syllable) {
      const mark = TONE_MARKS[char.toLowerCase()];
      if (mark) {
        out += mark[0];
        if (mark[1] > 0) tone = mark[1];
      } else {
        out += char;
      }
    }
    return tone > 0 && !/[1-5]$/.test(out) ? `${out}${tone}` : out;
  });
}
