import { describe, expect, it } from 'vitest';
import { wordsInShownText, type SpokenWord } from './word-text.models.js';

/** Words at the offsets of `spoken` where each listed word starts, 100 ms apart. */
function wordsAt(spoken: string, starts: string[]): SpokenWord[] {
  let from = 0;
  return starts.map((word, i) => {
    const offset = spoken.indexOf(word, from);
    from = offset + word.length;
    return { offset, begin_time: i * 100, end_time: (i + 1) * 100 };
  });
}

describe('word timings in the written text', () => {
  it('gives a word everything up to the next one: characters the engine skipped, punctuation', () => {
    // eSpeak's Chinese reports 可以 at 可 only.
    const words = wordsInShownText({ shown: '我可以走了。', spoken: '我可以走了。', words: wordsAt('我可以走了。', ['我', '可', '走', '了']) });
    expect(words.map((w) => w.text)).toEqual(['我', '可以', '走', '了。']);
  });

  it('shows a reading as what was written, timed from its first spoken word to its last', () => {
    const spoken = '今天是二零二四年一月五日。';
    const words = wordsInShownText({ shown: '今天是2024年1月5日。', spoken, words: wordsAt(spoken, [...'今天是二零二四年一月五日']) });
    expect(words.map((w) => w.text)).toEqual(['今', '天', '是', '2024', '年', '1', '月', '5', '日。']);
    expect(words[3]).toEqual({ text: '2024', begin_time: 300, end_time: 700 });
  });

  it('matches a written word to the spoken one read from it, not to one a reading added', () => {
    const spoken = 'costs three dollars and ninety-nine cents and more';
    const words = wordsInShownText({ shown: 'costs $3.99 and more', spoken, words: wordsAt(spoken, ['costs', 'three', 'dollars', 'and', 'ninety', 'nine', 'cents', 'and', 'more']) });
    expect(words.map((w) => [w.text, w.begin_time])).toEqual([['costs', 0], ['$3.99', 100], ['and', 700], ['more', 800]]);
  });

  it('keeps an opening quote with the first word, and no words when the engine reported none', () => {
    expect(wordsInShownText({ shown: '“Hi,” he said.', spoken: '“Hi,” he said.', words: wordsAt('“Hi,” he said.', ['Hi', 'he', 'said']) }).map((w) => w.text)).toEqual(['“Hi,”', 'he', 'said.']);
    expect(wordsInShownText({ shown: 'Hello.', spoken: 'Hello.', words: [] })).toEqual([]);
  });
});
