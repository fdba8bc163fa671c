/**
 * The reference's counting rule (§8), as the server applies it (src/text/char-count.ts): every
 * character counts 1 (Unicode code points), SSML tags do not count, and a whitespace run counts as
 * one space only between two other characters. Entities in SSML (`&amp;`) are one character.
 */

import { countChars as countCodePoints } from '../../../src/text/char-count.js';

/** The limit on InputConfig. */
export const MAX_INPUT_CHARS = 10_000;

const SPEAK_TAG = /<speak[\s>/]/;

/** Text as the server counts it: tags removed from SSML, entities decoded. */
function spokenText(input: string): string {
  if (!SPEAK_TAG.test(input)) return input;
  return input
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<\?[\s\S]*?\?>/g, '')
    // Every tag counts 0, sentence and paragraph edges too: only the text's own spaces count.
    .replace(/<[^>]*>/g, '')
    .replace(/&(?:#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos);/gi, 'x');
}

/** The server's own counter, applied to the text the server would count. */
export function countChars(input: string): number {
  return countCodePoints(spokenText(input));
}
