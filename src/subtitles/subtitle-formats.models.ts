/**
 * SRT and WebVTT text for a list of cues. Cue text is the spoken text as the user wrote it, so it can
 * hold characters that mean something to these formats: WebVTT reads `&` and `<` as markup and ends
 * a cue at any line holding `-->` (WebVTT §4.1, §6.1), and SRT readers take a line with `-->` for a
 * timing line. Each format gets the text back out intact where it can. Pure.
 */
import type { Cue } from './subtitle-cues.models.js';

function clock(ms: number, separator: ',' | '.'): string {
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const rest = ms % 1000;
  const pad = (value: number, size = 2) => String(value).padStart(size, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(rest, 3)}`;
}

/**
 * WebVTT has character references: `&amp;`, `&lt;`, `&gt;` show as `&`, `<`, `>`, so nothing the user
 * wrote becomes a tag, and an escaped `>` leaves no `-->` in the file.
 */
export function escapeVttText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * SRT has no escapes, and its readers split blocks at the `-->` of a timing line: an arrow written in
 * the text is shown as the arrow character instead.
 */
export function safeSrtText(text: string): string {
  return text.replace(/-->/g, '→');
}

export function toSrt(cues: readonly Cue[]): string {
  return cues.map((cue) => `${cue.index}\n${clock(cue.startMs, ',')} --> ${clock(cue.endMs, ',')}\n${safeSrtText(cue.text)}\n`).join('\n');
}

export function toVtt(cues: readonly Cue[]): string {
  return `WEBVTT\n\n${cues.map((cue) => `${cue.index}\n${clock(cue.startMs, '.')} --> ${clock(cue.endMs, '.')}\n${escapeVttText(cue.text)}\n`).join('\n')}`;
}
