import { describe, expect, it } from 'vitest';
import { pauseAfterMs, pauseSamples, SENTENCE_PAUSE_MS } from './sentence-pause.models.js';

describe('the pause a segment asks for', () => {
  it('follows its closing punctuation, Chinese or Western, past closing quotes and brackets', () => {
    for (const text of ['红得发紫了。', 'Really?!', 'He left.', '他说：“走吧！”', '(the end.)']) expect(pauseAfterMs(text), text).toBe(SENTENCE_PAUSE_MS.sentence);
    for (const text of ['说起郭德纲；', 'as follows:', 'and then...', '然后…']) expect(pauseAfterMs(text), text).toBe(SENTENCE_PAUSE_MS.clause);
    for (const text of ['说起郭德纲，', 'Speaking of Guo Degang,', '苹果、']) expect(pauseAfterMs(text), text).toBe(SENTENCE_PAUSE_MS.comma);
  });

  it('is none where the text does not end in punctuation (a long run cut at a space)', () => {
    expect(pauseAfterMs('a run of words cut at a space')).toBe(0);
    expect(pauseAfterMs('没有标点的长句')).toBe(0);
  });

  it("is a sentence's where an SSML <s> or <p> ended the segment, whatever its punctuation", () => {
    expect(pauseAfterMs('a sentence without a stop', { sentenceEnd: true })).toBe(SENTENCE_PAUSE_MS.sentence);
    expect(pauseAfterMs('说起郭德纲，', { sentenceEnd: true })).toBe(SENTENCE_PAUSE_MS.sentence);
  });

  it('counts the silence the engine already left, and scales with the speaking rate', () => {
    const base = { segmentText: 'Done.', sampleRate: 16000 };
    expect(pauseSamples({ ...base, speed: 1, trailingQuiet: 0, leadingQuiet: 0 })).toBe(320 * 16);
    expect(pauseSamples({ ...base, speed: 1, trailingQuiet: 1000, leadingQuiet: 120 })).toBe(320 * 16 - 1120);
    expect(pauseSamples({ ...base, speed: 2, trailingQuiet: 0, leadingQuiet: 0 })).toBe(160 * 16);
    expect(pauseSamples({ ...base, speed: 1, trailingQuiet: 9000, leadingQuiet: 0 })).toBe(0);
  });
});
