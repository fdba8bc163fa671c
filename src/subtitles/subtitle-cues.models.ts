/**
 * Subtitle cues from sentence timings. A sentence that is too long for one cue is split at natural
 * points (punctuation, then spaces, then — for CJK — between characters), and its time is shared
 * out in proportion to the display width of each part. Pure. The file formats are in
 * subtitle-formats.models.ts.
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
}

export const DEFAULT_CUE_OPTIONS: CueOptions = { maxLineColumns: 42, maxLines: 2 };

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
  return cues;
}
