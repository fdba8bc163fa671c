/**
 * Groups the inline stream into segments: cut after punctuation (sentence-cuts.ts) and at <s>/<p>/<speak>
 * edges; a pause inside a sentence stays a silence piece inside its segment; over-long runs are cut at
 * whitespace, or for text without spaces (Chinese) at the length limit.
 */
import type { InlineItem } from './inline.models.js';
import { findSentenceCuts } from './sentence-cuts.js';
import type { PieceProsody } from './text.types.js';

/** A segment before normalisation: text pieces still hold what the user wrote. */
export interface RawSegment {
  /** Display text, whitespace collapsed and trimmed. */
  text: string;
  pieces: RawPiece[];
  voice?: string;
  /** Ended by an <s> or <p> edge: a sentence, whatever its punctuation. */
  sentenceEnd?: boolean;
}

export type RawPiece =
  | Extract<InlineItem, { kind: 'text' }>
  | Extract<InlineItem, { kind: 'phoneme' }>
  | { kind: 'silence'; ms: number };

/** Segments longer than this (in UTF-16 units, close enough to characters) are cut. */
export const MAX_SEGMENT_LENGTH = 200;

export function segmentItems(items: readonly InlineItem[], maxLength = MAX_SEGMENT_LENGTH): RawSegment[] {
  const segments: RawSegment[] = [];
  let display = '';
  let pieces: RawPiece[] = [];
  let voice: string | undefined;
  let hasContent = false;

  const close = (sentenceEnd = false) => {
    const text = display.replace(/\s+/g, ' ').trim();
    const kept = trimWhitespacePieces(pieces);
    if (text !== '' || kept.some((piece) => piece.kind === 'silence')) {
      segments.push({ text, pieces: kept, ...(voice === undefined ? {} : { voice }), ...(sentenceEnd ? { sentenceEnd } : {}) });
    }
    display = '';
    pieces = [];
    voice = undefined;
    hasContent = false;
  };

  const addText = (item: Extract<InlineItem, { kind: 'text' }>, text: string) => {
    if (text === '') return;
    if (!hasContent) voice = item.voice;
    display += text;
    if (text.trim() !== '') hasContent = true;
    const last = pieces[pieces.length - 1];
    // Neighbouring plain text with the same prosody is one piece, so the engine reads it in one breath.
    if (last?.kind === 'text' && !last.atomic && !item.atomic && sameProsody(last.prosody, item.prosody)) {
      pieces[pieces.length - 1] = { ...last, text: last.text + text };
    } else {
      pieces.push({ ...item, text });
    }
  };

  /** Appends a piece of plain text that contains no cut, cutting it further if the segment grows too long. */
  const addLimited = (item: Extract<InlineItem, { kind: 'text' }>, chunk: string) => {
    let rest = chunk;
    while (display.length + rest.length > maxLength) {
      const room = Math.max(1, maxLength - display.length);
      const at = cutIndex(rest, room, display.trim() === '');
      if (at <= 0) {
        close();
        continue;
      }
      addText(item, rest.slice(0, at));
      close();
      rest = rest.slice(at);
    }
    addText(item, rest);
  };

  for (const item of items) {
    switch (item.kind) {
      case 'boundary':
        close(item.sentence === true);
        break;
      case 'silence': {
        const previous = segments[segments.length - 1];
        // A pause between sentences belongs after the sentence it follows.
        if (!hasContent && previous && previous.voice === item.voice && pieces.length === 0) {
          previous.pieces.push({ kind: 'silence', ms: item.ms });
        } else {
          if (!hasContent) voice = item.voice;
          pieces.push({ kind: 'silence', ms: item.ms });
        }
        break;
      }
      case 'phoneme':
        if (!hasContent) voice = item.voice;
        display += item.text;
        hasContent = true;
        pieces.push(item);
        break;
      case 'text': {
        if (item.atomic) {
          if (display.length + item.text.length > maxLength && hasContent) close();
          addText(item, item.text);
          if (item.text.trim() === '' && item.alias?.trim()) hasContent = true;
          break;
        }
        let from = 0;
        for (const cut of findSentenceCuts(item.text)) {
          addLimited(item, item.text.slice(from, cut));
          close();
          from = cut;
        }
        addLimited(item, item.text.slice(from));
        break;
      }
    }
  }
  close();
  return segments;
}

/** Where to cut `text` so the first part is at most `room` long: the last whitespace, else (no spaces) `room`. */
function cutIndex(text: string, room: number, segmentEmpty: boolean): number {
  const space = text.lastIndexOf(' ', room);
  const newline = text.lastIndexOf('\n', room);
  const at = Math.max(space, newline);
  if (at > 0) return at + 1;
  // No whitespace in reach: if the segment already has text, start a new one; else cut hard (CJK runs).
  if (!segmentEmpty) return 0;
  let index = Math.min(room, text.length);
  const code = text.charCodeAt(index - 1);
  if (code >= 0xd800 && code <= 0xdbff) index--; // never split a surrogate pair
  return Math.max(1, index);
}

function sameProsody(a: PieceProsody, b: PieceProsody): boolean {
  return a.rate === b.rate && a.pitch === b.pitch && a.volume === b.volume;
}

/** Drops whitespace-only text pieces at the edges; inner ones join their left neighbour. */
function trimWhitespacePieces(pieces: RawPiece[]): RawPiece[] {
  const result: RawPiece[] = [];
  for (const piece of pieces) {
    if (piece.kind === 'text' && piece.text.trim() === '' && !piece.alias) {
      const last = result[result.length - 1];
      if (last?.kind === 'text') result[result.length - 1] = { ...last, text: last.text + ' ' };
      continue;
    }
    result.push(piece);
  }
  return result;
}
