/**
 * Character counting by the reference's rule (§8): every character (Chinese character, letter, digit,
 * punctuation mark, in-sentence space) counts 1; SSML tags do not count. We count Unicode code points,
 * so an emoji written as a surrogate pair counts 1, and a run of whitespace counts as one space only
 * when it sits between two other characters (indentation and line breaks around SSML tags are free).
 */
export function countChars(text: string): number {
  let count = 0;
  let pendingSpace = false;
  let seenChar = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A low surrogate is the second half of a character already counted.
    if (code >= 0xdc00 && code <= 0xdfff && i > 0 && isHighSurrogate(text.charCodeAt(i - 1))) continue;
    if (isWhitespace(code, text[i])) {
      if (seenChar) pendingSpace = true;
      continue;
    }
    if (pendingSpace) count++;
    pendingSpace = false;
    seenChar = true;
    count++;
  }
  return count;
}

/** Collapses each whitespace run to one space and trims: the display form of a segment. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/gu, ' ').trim();
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isWhitespace(code: number, char: string): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  if (code < 0x85) return false;
  return /\s/u.test(char);
}
