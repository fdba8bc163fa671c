/**
 * Subtitle cues from sentence timings. A sentence that is too long for one cue is split at natural
 * points (punctuation, then spaces, then — for CJK — between characters), and its time is shared
 * out in proportion to the display width of each part. Pure. The file formats are in
 * subtitle-formats.models.ts.
 *
 * A cue shows its sentence while it is heard, as Azure's sentence boundaries and Polly's speech
 * marks time it: a sentence's AiResult span also holds the pause after it and any <break>, so a
 * cue built on it stayed up through seconds of silence (or came up before a leading break ended).
 * Short gaps between cues are closed so the text does not flicker off between sentences.
 */

export interface TimedText {
  text: string;
  begin_time: number;
  end_time: number;
}

export interface Cue {
  index: number;
  startMs: number;
  endMs: number;
  text: string;
}

export interface CueOptions {
  /** Widest line, in columns: a CJK (full-width) character takes 2 columns, others 1. */
  maxLineColumns: number;
  /** Lines per cue. */
  maxLines: number;
  /** A cue stays up at least this long (ms), unless the next one starts sooner. */
  minDurationMs?: number;
  /** A cue that ends less than this (ms) before the next one starts stays up until it does. */
  closeGapMs?: number;
  /** The audio's duration (ms), the furthest the last cue may be held; without it, its sentence's end. */
  endMs?: number;
}

export const DEFAULT_CUE_OPTIONS: CueOptions = { maxLineColumns: 42, maxLines: 2 };
// Common subtitling practice (e.g. Netflix's timing guidelines): about 5/6 s at least on screen,
// and gaps under half a second closed rather than flashed.
const MIN_DURATION_MS = 800;
const CLOSE_GAP_MS = 500;

/** Where each sentence is heard (a render's `spoken` spans), where known; else its AiResult span. */
export function heardSentences({ timings, spoken }: { timings: readonly TimedText[]; spoken?: ReadonlyArray<{ begin_time: number; end_time: number } | null> }): TimedText[] {
  return timings.map((sentence, i) => {
    const span = spoken?.[i];
    return span ? { text: sentence.text, begin_time: span.begin_time, end_time: span.end_time } : sentence;
  });
}

const WIDE = /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]|[\u{20000}-\u{3FFFD}]/u;

/** Display width: full-width (CJK) characters count 2 columns, everything else 1. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += WIDE.test(char) ? 2 : 1;
  return width;
}

/** Chinese punctuation ends a phrase wherever it stands. */
const CJK_BREAK_AFTER = /[，。！？；：、…]/u;
/** Western punctuation ends one only before a space: "3.14", "1,000" and "example.com" stay whole. */
const LATIN_BREAK_AFTER = /[,.!?;:]/u;

function breaksAfter(chars: readonly string[], index: number): boolean {
  const char = chars[index]!;
  if (CJK_BREAK_AFTER.test(char)) return true;
  const next = chars[index + 1];
  return LATIN_BREAK_AFTER.test(char) && (next === undefined || next === ' ' || WIDE.test(next));
}

/** Splits text into pieces no wider than `columns`, preferring punctuation, then spaces. */
export function splitToWidth(text: string, columns: number): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (displayWidth(rest) > columns) {
    const chars = [...rest];
    let width = 0;
    let limit = 0;
    while (limit < chars.length && width + displayWidth(chars[limit]!) <= columns) {
      width += displayWidth(chars[limit]!);
      limit += 1;
    }
    let cut = -1;
    // Prefer the last punctuation mark, unless it leaves a very short first piece.
    for (let i = limit - 1; i >= Math.floor(limit / 3); i -= 1) {
      if (breaksAfter(chars, i)) {
        cut = i + 1;
        break;
      }
    }
    if (cut < 0) {
      for (let i = limit; i >= Math.floor(limit / 3); i -= 1) {
        if (chars[i] === ' ') {
          cut = i;
          break;
        }
      }
    }
    if (cut <= 0) {
      cut = Math.max(1, limit);
      // A punctuation mark never starts a line (CJK line-breaking rule): take one character fewer.
      if (cut > 1 && cut < chars.length && (CJK_BREAK_AFTER.test(chars[cut]!) || LATIN_BREAK_AFTER.test(chars[cut]!))) cut -= 1;
    }
    pieces.push(chars.slice(0, cut).join('').trim());
    rest = chars.slice(cut).join('').trim();
  }
  if (rest !== '') pieces.push(rest);
  return pieces;
}

/** Cues from sentence timings: in order, never overlapping, covering each sentence's time. */
export function buildCues(timings: readonly TimedText[], options: CueOptions = DEFAULT_CUE_OPTIONS): Cue[] {
  const cues: Cue[] = [];
  for (const sentence of timings) {
    const text = sentence.text.replace(/\s+/g, ' ').trim();
    if (text === '') continue;
    const lines = splitToWidth(text, options.maxLineColumns);
    const groups: string[] = [];
    for (let i = 0; i < lines.length; i += options.maxLines) {
      const group = lines.slice(i, i + options.maxLines);
      groups.push(group.join('\n'));
    }
    const widths = groups.map((group) => Math.max(1, displayWidth(group.replace(/\n/g, ''))));
    const total = widths.reduce((sum, width) => sum + width, 0);
    const span = Math.max(0, sentence.end_time - sentence.begin_time);
    let start = sentence.begin_time;
    let used = 0;
    groups.forEach((group, i) => {
      used += widths[i]!;
      const end = i === groups.length - 1 ? sentence.end_time : sentence.begin_time + Math.round((span * used) / total);
      const previousEnd = cues.length > 0 ? cues[cues.length - 1]!.endMs : 0;
      const startMs = Math.max(start, previousEnd);
      if (end > startMs) cues.push({ index: cues.length + 1, startMs, endMs: end, text: group });
      start = end;
    });
  }
  const minDuration = options.minDurationMs ?? MIN_DURATION_MS;
  const closeGap = options.closeGapMs ?? CLOSE_GAP_MS;
  cues.forEach((cue, i) => {
    // Unless the audio's end is known, the last cue ends where its sentence does.
    const limit = cues[i + 1]?.startMs ?? options.endMs ?? cue.endMs;
    if (limit - cue.endMs < closeGap) cue.endMs = Math.max(cue.endMs, limit);
    if (cue.endMs - cue.startMs < minDuration) cue.endMs = Math.max(cue.endMs, Math.min(cue.startMs + minDuration, limit));
  });
  // Quick short sentences ("Yes. No." at twice the speed) cannot each stay up that long without
  // running late: a cue still too short shares the screen with its neighbour, where both fit.
  const merged: Cue[] = [];
  for (const cue of cues) {
    const previous = merged.at(-1);
    const short = (c: Cue) => c.endMs - c.startMs < minDuration;
    if (previous && previous.endMs === cue.startMs && (short(previous) || short(cue))) {
      const lines = splitToWidth(joinText(previous.text, cue.text), options.maxLineColumns);
      if (lines.length <= options.maxLines) {
        previous.text = lines.join('\n');
        previous.endMs = cue.endMs;
        continue;
      }
    }
    merged.push(cue);
  }
  return merged.map((cue, i) => ({ ...cue, index: i + 1 }));
}

/** Two cue texts as one line: a space between Latin words, none next to CJK. */
function joinText(first: string, second: string): string {
  const flat = (text: string) => text.split('\n').reduce((a, b) => joinPair(a, b));
  return joinPair(flat(first), flat(second));
}

function joinPair(a: string, b: string): string {
  return WIDE.test(a.at(-1) ?? '') || WIDE.test(b[0] ?? '') ? a + b : `${a} ${b}`;
}
