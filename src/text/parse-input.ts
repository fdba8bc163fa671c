/**
 * The text front end's entry point: plain text or SSML in, segments with speakable pieces out.
 * Order matters: read (SSML or plain) → segment → count and enforce the limit → normalise, so an
 * over-long input is refused before any normalisation work.
 */
import { errors } from '../shared/errors.js';
import { countChars } from './char-count.js';
import type { InlineItem } from './inline.models.js';
import { segmentLanguage, type ReadingLanguage } from './language.models.js';
import { normalizeText } from './normalize.models.js';
import { readSayAs } from './say-as.models.js';
import { segmentItems, type RawPiece, type RawSegment } from './segment.js';
import { NEUTRAL_PROSODY } from './ssml-attributes.js';
import { ATTRIBUTE } from './ssml-broken-tag.js';
import { readSsml } from './ssml-parse.js';
import { createPositionMapper } from './text-position.js';
import type { ParsedInput, ParseOptions, SpeakOverrides, SpeechPiece, SpeechSegment } from './text.types.js';

/**
 * SSML is recognised by a <speak> tag, opening or closing, in any letter case (not by "<speaker>" or
 * other words starting the same way). A closing tag alone or a miscased one is still SSML, just
 * malformed: read as plain text, its markup would be spoken aloud instead of refused with a position.
 */
const SPEAK_TAG = /<\/?speak[\s>/]/i;

export function isSsmlInput(input: string): boolean {
  return SPEAK_TAG.test(input);
}

/**
 * An SSML element, whole, in text with no <speak>: "Hello <break time="1s"/> world". ICE wants
 * SSML inside <speak>; read as plain text, the markup would be spoken ("less than break time…"),
 * so it is refused instead. Only SSML's own element names, written as tags, count: prose such as
 * "a < b", "x<y>z" or HTML's <b> stays text.
 */
const SSML_ELEMENTS = ['break', 's', 'p', 'sub', 'say-as', 'phoneme', 'w', 'prosody', 'voice', 'emphasis', 'audio', 'mark', 'lang', 'lexicon', 'token', 'desc', 'meta', 'metadata'];
const SSML_TAG = new RegExp(String.raw`<\/?(${SSML_ELEMENTS.join('|')})(?:\s+${ATTRIBUTE})*\s*\/?>`, 'i');

/**
 * Everything that can make plain (non-SSML) text invalid: empty, over the limit, or SSML tags
 * without a <speak> around them. Returns its character count. Submit-time validation of plain
 * text needs nothing more.
 */
export function checkPlainText(input: string, maxChars: number): number {
  if (input.trim() === '') throw errors.invalidParameter('InputConfig', 'the text to speak is empty.');
  const count = countChars(input);
  if (count > maxChars) throw errors.textTooLong(count, maxChars);
  const tag = SSML_TAG.exec(input);
  if (tag) {
    throw errors.invalidSsml(`<${tag[1]}> is an SSML tag, and SSML must be inside <speak>…</speak>`, createPositionMapper(input).at(tag.index));
  }
  return count;
}

export function parseInput(input: string, options: ParseOptions): ParsedInput {
  const isSsml = isSsmlInput(input);
  let items: InlineItem[];
  let overrides: SpeakOverrides = {};
  let charCount: number;
  if (isSsml) {
    ({ items, overrides } = readSsml(input));
    charCount = countChars(spokenText(items));
    if (charCount > options.maxChars) throw errors.textTooLong(charCount, options.maxChars);
  } else {
    // Checked before segmenting so a huge plain text costs one pass, not a full parse.
    charCount = checkPlainText(input, options.maxChars);
    items = [{ kind: 'text', text: input, atomic: false, prosody: NEUTRAL_PROSODY }];
  }

  const raw = segmentItems(items);
  if (raw.length === 0) throw errors.invalidParameter('InputConfig', 'the SSML contains no text to speak.');
  const segments = raw.map((segment) => finishSegment(segment, options.language, options.normalize ?? true));
  return { isSsml, segments, charCount, overrides };
}

/** What the reference counts: the text content, tags and attributes (including <sub alias>) excluded. */
/** The text an SSML input speaks, for counting: tags (sentence and block boundaries too) add nothing. */
function spokenText(items: readonly InlineItem[]): string {
  let text = '';
  for (const item of items) {
    if (item.kind === 'text' || item.kind === 'phoneme') text += item.text;
  }
  return text;
}

function finishSegment(segment: RawSegment, fallback: ReadingLanguage, normalize: boolean): SpeechSegment {
  const language = normalize ? segmentLanguage({ text: segment.text, fallback }) : fallback;
  const pieces: SpeechPiece[] = [];
  segment.pieces.forEach((piece, index) => {
    const spoken = normalize ? speakPiece(piece, language) : rawPiece(piece);
    if (spoken.kind === 'text') {
      let text = spoken.text.replace(/\s+/g, ' ');
      if (index === 0) text = text.trimStart();
      if (index === segment.pieces.length - 1) text = text.trimEnd();
      if (text === '') return;
      pieces.push({ ...spoken, text });
    } else {
      pieces.push(spoken);
    }
  });
  return {
    text: segment.text,
    pieces,
    ...(segment.voice === undefined ? {} : { voice: segment.voice }),
    ...(segment.sentenceEnd ? { sentenceEnd: true } : {}),
    charCount: countChars(segment.text),
  };
}

function speakPiece(piece: RawPiece, language: ReadingLanguage): SpeechPiece {
  switch (piece.kind) {
    case 'silence':
      return { kind: 'silence', ms: piece.ms };
    case 'phoneme':
      return { kind: 'phoneme', alphabet: piece.alphabet, phonemes: piece.phonemes, text: piece.text.trim(), prosody: piece.prosody };
    case 'text': {
      let text: string;
      if (piece.alias !== undefined) text = normalizeText({ text: piece.alias, language });
      else if (piece.sayAs) text = padded(piece.text, readSayAs({ kind: piece.sayAs.kind, format: piece.sayAs.format, text: piece.text, lang: language }));
      else text = normalizeText({ text: piece.text, language });
      return { kind: 'text', text, prosody: piece.prosody };
    }
  }
}

/** The piece as written (alias for <sub>), without reading numbers as words. */
function rawPiece(piece: RawPiece): SpeechPiece {
  if (piece.kind === 'silence') return { kind: 'silence', ms: piece.ms };
  if (piece.kind === 'phoneme') return { kind: 'phoneme', alphabet: piece.alphabet, phonemes: piece.phonemes, text: piece.text.trim(), prosody: piece.prosody };
  return { kind: 'text', text: piece.alias ?? piece.text, prosody: piece.prosody };
}

/** Keeps the spaces around a rewritten atomic piece so it does not glue onto its neighbours. */
function padded(original: string, spoken: string): string {
  const lead = /^\s/.test(original) ? ' ' : '';
  const tail = /\s$/.test(original) ? ' ' : '';
  return lead + spoken + tail;
}
