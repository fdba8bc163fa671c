/**
 * Where a run of text may be cut into segments: after Chinese or Western clause and sentence punctuation
 * (the reference's example cuts "说起郭德纲，" / "他现在可以说是红得发紫了。"), at blank lines, and before
 * the items of a list. Never inside numbers (3.14, 1,000, 14:30), after abbreviations (Mr., e.g., No. 7),
 * after a list item's number, between a date's day and year (Jan 5, 2024) or inside URLs and e-mail addresses.
 */

/** Punctuation runs; blank lines; a line break before a list item ("2. …", "- …", "2.香蕉", "2、香蕉"). */
const CUT_RUN = /[，。！？；：、…,.!?;:]+[”’"')\]」』》〉】）]*|\n[^\S\n]*\n|\n(?=[^\S\n]*(?:\d{1,2}[.)、]|[-*•])(?:[^\S\n]|[\u3400-\u9fff]))/g;
const MONTH_DAY_BEFORE =
  /\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+\d{1,2}(?:st|nd|rd|th)?$/i;
const CJK_PUNCT = /[，。！？；：、…]/;
const URL_OR_EMAIL = /(?:https?:\/\/|www\.)[^\s<>"'，。！？；：、（）「」『』《》]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+/gi;
const CJK = /[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/;

/** Abbreviations whose period does not end a sentence (lower case, without the final period). */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'vs', 'fig', 'inc', 'ltd', 'co', 'corp',
  'dept', 'approx', 'gen', 'gov', 'sen', 'rep', 'rev', 'capt', 'col', 'lt', 'sgt', 'jan', 'feb',
  'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'e.g', 'i.e', 'cf', 'al', 'vol', 'pp',
]);

/** Indices (exclusive ends) after which a segment ends. The text between cuts keeps its own whitespace. */
export function findSentenceCuts(text: string): number[] {
  const cuts: number[] = [];
  let protectedSpans: Array<[number, number]> | undefined;
  for (const match of text.matchAll(CUT_RUN)) {
    const run = match[0];
    const start = match.index ?? 0;
    const end = start + run.length;
    if (run.startsWith('\n')) {
      cuts.push(start);
      continue;
    }
    // "1、苹果" at the start of a line: the number is the item's, not a clause of its own.
    if (run === '、' && isListNumber(text, start)) continue;
    if (!CJK_PUNCT.test(run)) {
      const next = text[end];
      if (next !== undefined && !/\s/.test(next) && !CJK.test(next)) continue;
      protectedSpans ??= findProtectedSpans(text);
      if (protectedSpans.some(([from, to]) => start >= from && start < to)) continue;
      const before = text.slice(Math.max(0, start - 24), start);
      // "Jan 5, 2024": the comma belongs to the date.
      if (run === ',' && MONTH_DAY_BEFORE.test(before) && /^\s+\d{4}\b/.test(text.slice(end, end + 6))) continue;
      if (run === '.' || run === ')') {
        if (isListNumber(text, start)) continue;
        // A URL's last character was just before this dot: "Visit www.example.com. Then…" ends there.
        const endsUrl = protectedSpans.some(([, to]) => start === to);
        if (run === '.' && !endsUrl && isAbbreviation(text, start)) continue;
        if (run === '.' && /\bno$/i.test(before) && /^\s*\d/.test(text.slice(end, end + 3))) continue;
      }
    }
    cuts.push(end);
  }
  return cuts;
}

/** A list item's number, alone at the start of its line, ends at `at`: its period or 、 ends no sentence. */
function isListNumber(text: string, at: number): boolean {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  return /^[^\S\n]*\d{1,2}$/.test(text.slice(lineStart, at));
}

function isAbbreviation(text: string, dot: number): boolean {
  let from = dot;
  while (from > 0 && /[A-Za-z.]/.test(text[from - 1])) from--;
  const word = text.slice(from, dot);
  if (word === '') return false;
  // Part of a path or an identifier ("/a.b."), not a word of prose.
  if (from > 0 && !/[\s(\[“‘"']/.test(text[from - 1])) return false;
  if (/^[A-Z]$/.test(word)) return true; // an initial: "J. K. Rowling"
  if (word.includes('.')) return true; // "U.S.", "e.g."
  return ABBREVIATIONS.has(word.toLowerCase());
}

function findProtectedSpans(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  for (const match of text.matchAll(URL_OR_EMAIL)) {
    // A sentence may end right after a URL: its trailing punctuation is not part of it.
    const trimmed = match[0].replace(/[.,;:!?)\]]+$/, '');
    const start = match.index ?? 0;
    spans.push([start, start + trimmed.length]);
  }
  return spans;
}
