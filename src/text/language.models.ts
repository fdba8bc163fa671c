/** Which language a number is read in: Chinese next to Chinese text, English next to Latin words. */

export type ReadingLanguage = 'zh' | 'en';

const CJK = /[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/;

export function isCjk(char: string | undefined): boolean {
  return char !== undefined && CJK.test(char);
}

export function isLatinLetter(char: string | undefined): boolean {
  return char !== undefined && /[A-Za-z]/.test(char);
}

/**
 * The language a segment mostly speaks: Chinese characters against English words (one word ≈ one
 * character of weight); with neither, or a tie, the voice's language decides.
 */
export function segmentLanguage({ text, fallback }: { text: string; fallback: ReadingLanguage }): ReadingLanguage {
  let han = 0;
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
    if (letter && !inWord) words++;
    inWord = letter;
    // The common CJK blocks; rarer Han (extension B and beyond) only needs to tip the balance rarely.
    if ((code >= 0x4e00 && code <= 0x9fff) || (code >= 0x3400 && code <= 0x4dbf) || (code >= 0xf900 && code <= 0xfaff)) han++;
  }
  if (han > words) return 'zh';
  if (words > han) return 'en';
  return fallback;
}

/** The language for a token at [start, end) of `text`: its nearest non-space neighbours decide, else the segment's. */
export function languageAround({ text, start, end, fallback }: {
  text: string;
  start: number;
  end: number;
  fallback: ReadingLanguage;
}): ReadingLanguage {
  let before = start - 1;
  while (before >= 0 && text[before] === ' ') before--;
  let after = end;
  while (after < text.length && text[after] === ' ') after++;
  const previous = before >= 0 ? text[before] : undefined;
  const next = text[after];
  if (isCjk(previous) || isCjk(next)) return 'zh';
  if (isLatinLetter(previous) || isLatinLetter(next)) return 'en';
  return fallback;
}
