/**
 * Where a run of text may be cut into segments: after Chinese or Western clause and sentence punctuation
 * (the reference's example cuts "说起郭德纲，" / "他现在可以说是红得发紫了。"), and at blank lines.
 * Never inside numbers (3.14, 1,000, 14:30), after abbreviations (Mr., e.g.) or inside URLs and e-mail addresses.
 */

const CUT_RUN = /[，。！？；：、…,.!?;:]+[”’"')\]」』》〉】）]*|\n[^\S\n]*\n/g;
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
    if (!CJK_PUNCT.test(run)) {
      const next = text[end];
      if (next !== undefined && !/\s/.test(next) && !CJK.test(next)) continue;
      protectedSpans ??= findProtectedSpans(text);
      if (protectedSpans.some(([from, to]) => start >= from && start < to)) continue;
      if (run === '.' && isAbbreviation(text, start)) continue;
    }
    cuts.push(end);
  }
  return cuts;
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
