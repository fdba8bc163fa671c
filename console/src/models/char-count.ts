/**
 * The reference's counting rule (§8), as the server applies it (src/text/char-count.ts): every
 * character counts 1 (Unicode code points), SSML tags do not count, and a whitespace run counts as
 * one space only between two other characters. Entities in SSML (`&amp;`) are one character.
 */

import { countChars as countCodePoints } from '../../../src/text/char-count.js';

/** The limit on InputConfig. */
export const MAX_INPUT_CHARS = 10_000;

const SPEAK_TAG = /<speak[\s>/]/;

const ENTITY = /^&(?:#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos);/i;

/** Where the markup starting at `from` ends (just past `closer`), or the input's end when unclosed. */
function skipPast(input: string, from: number, closer: string): number {
  const at = input.indexOf(closer, from);
  return at < 0 ? input.length : at + closer.length;
}

/** Just past the `>` closing the tag at `from`; a `>` inside a quoted attribute value does not close it. */
function skipTag(input: string, from: number): number {
  let quote: string | null = null;
  for (let i = from + 1; i < input.length; i++) {
    const ch = input[i];
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '>') {
      return i + 1;
    }
  }
  return input.length;
}

/**
 * Text as the server counts it: tags, comments and processing instructions removed (every tag,
 * sentence and paragraph edges too, counts 0: only the text's own spaces count), CDATA content
 * kept as written (the server speaks and counts it), entities one character each.
 */
function spokenText(input: string): string {
  if (!SPEAK_TAG.test(input)) return input;
  let text = '';
  let i = 0;
  while (i < input.length) {
    if (input.startsWith('<![CDATA[', i)) {
      const end = input.indexOf(']]>', i + 9);
      text += input.slice(i + 9, end < 0 ? input.length : end);
      i = end < 0 ? input.length : end + 3;
    } else if (input.startsWith('<!--', i)) {
      i = skipPast(input, i + 4, '-->');
    } else if (input.startsWith('<?', i)) {
      i = skipPast(input, i + 2, '?>');
    } else if (input[i] === '<') {
      i = skipTag(input, i);
    } else if (input[i] === '&' && ENTITY.test(input.slice(i, i + 12))) {
      text += 'x';
      i = input.indexOf(';', i) + 1;
    } else {
      text += input[i];
      i++;
    }
  }
  return text;
}

/** The server's own counter, applied to the text the server would count. */
export function countChars(input: string): number {
  return countCodePoints(spokenText(input));
}
