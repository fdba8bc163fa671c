/**
 * Word timings in the text the user wrote. An engine reports words in the text it read, which is
 * not what the sentence shows: numbers, dates and <say-as> are read as words ("2024年" → 二零二四年),
 * a <sub> reads its alias, and eSpeak's Chinese reports one position per dictionary word, so 可以
 * comes back as 可 alone. Each spoken word is mapped to where it stands in the written sentence (the
 * two texts are aligned token by token; what differs maps as a block), and a word runs until the
 * next one starts, so the words' texts joined give the sentence back (whitespace aside). Pure.
 */

export interface SpokenWord {
  /** UTF-16 offset of the word in the spoken text. */
  offset: number;
  begin_time: number;
  end_time: number;
}

export interface ShownWord {
  text: string;
  begin_time: number;
  end_time: number;
}

// One token per CJK character (each is a word the engine may report), per run of other letters and
// digits, and per other visible character.
const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
const TOKEN = new RegExp(`[${CJK}]|(?:(?![${CJK}])[\\p{L}\\p{N}\\p{M}])+|\\S`, 'gu');

interface Token {
  start: number;
  end: number;
  key: string;
}

function tokenize(text: string): Token[] {
  return [...text.matchAll(TOKEN)].map((m) => ({ start: m.index, end: m.index + m[0].length, key: m[0].toLowerCase() }));
}

/** For each spoken token, the index of the written token it is (longest common subsequence), or -1. */
function align(shown: readonly Token[], spoken: readonly Token[]): number[] {
  const n = shown.length;
  const m = spoken.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = shown[i]!.key === spoken[j]!.key ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const match = new Array<number>(m).fill(-1);
  for (let i = 0, j = 0; i < n && j < m; ) {
    if (shown[i]!.key === spoken[j]!.key) match[j++] = i++;
    // On a tie, pass over a spoken word first: readings add words ("$3.99 and" → "three dollars
    // and ninety-nine cents and"), and the written "and" is the one read after them.
    else if (lcs[i]![j + 1]! >= lcs[i + 1]![j]!) j++;
    else i++;
  }
  return match;
}

export function wordsInShownText({ shown, spoken, words }: { shown: string; spoken: string; words: readonly SpokenWord[] }): ShownWord[] {
  if (words.length === 0) return [];
  const shownTokens = tokenize(shown);
  const spokenTokens = tokenize(spoken);
  const match = align(shownTokens, spokenTokens);
  // Where each spoken token starts in the written text: its own token, or, read in place of
  // something written, the first written token after the last one matched before it.
  const starts: number[] = [];
  let nextShown = 0;
  for (const i of match) {
    starts.push(i >= 0 ? shownTokens[i]!.start : (shownTokens[nextShown]?.start ?? shown.length));
    if (i >= 0) nextShown = i + 1;
  }
  const shownStartOf = (offset: number) => {
    const token = spokenTokens.findIndex((t) => t.end > offset);
    return token < 0 ? shown.length : starts[token]!;
  };
  // Words that land on the same written place are one word there (二零二四 → 2024), timed from the first.
  const kept: Array<{ start: number; begin_time: number; end_time: number }> = [];
  for (const word of words) {
    const start = shownStartOf(word.offset);
    const previous = kept.at(-1);
    if (previous && (start <= previous.start || start >= shown.length)) previous.end_time = Math.max(previous.end_time, word.end_time);
    else kept.push({ start, begin_time: word.begin_time, end_time: word.end_time });
  }
  // Whatever stands before the first word (an opening quote) is shown with it.
  kept[0]!.start = 0;
  return kept
    .map((word, k) => ({ text: shown.slice(word.start, kept[k + 1]?.start ?? shown.length).trim(), begin_time: word.begin_time, end_time: word.end_time }))
    .filter((word) => word.text !== '');
}
