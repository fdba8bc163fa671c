/** AiResult (JSON text) → sentences with times in seconds; accepts both shapes of reference §2.4. */

export interface Sentence {
  text: string;
  /** Start, seconds. */
  from: number;
  /** End, seconds. */
  to: number;
}

export function parseAiResult(aiResult: string | undefined): Sentence[] {
  if (!aiResult) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(aiResult);
  } catch {
    return [];
  }
  if (!Array.isArray(raw)) return [];
  return raw
    .map((item: Record<string, unknown>) => ({
      text: String(item.content ?? item.text ?? ''),
      from: typeof item.from === 'number' ? item.from : Number(item.begin_time ?? 0) / 1000,
      to: typeof item.to === 'number' ? item.to : Number(item.end_time ?? 0) / 1000,
    }))
    .filter((sentence) => Number.isFinite(sentence.from) && Number.isFinite(sentence.to));
}

/**
 * The sentence being played at `time`: the last one that has started, so exactly one is current
 * during the pauses between sentences too (and the first before it starts).
 */
export function currentSentenceIndex(sentences: readonly Sentence[], time: number): number {
  if (sentences.length === 0) return -1;
  let index = 0;
  for (let i = 0; i < sentences.length; i++) if (sentences[i]!.from <= time + 1e-3) index = i;
  return index;
}
