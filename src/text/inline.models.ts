/**
 * The flat stream the SSML (or plain-text) reader produces and the segmenter consumes.
 * Markup is gone; what is left is text with its reading instructions, pauses, and hard boundaries.
 */
import type { PieceProsody } from './text.types.js';

/** <say-as interpret-as> values we read (plus their aliases, resolved by the parser). */
export type SayAsKind =
  | 'cardinal'
  | 'ordinal'
  | 'digits'
  | 'telephone'
  | 'date'
  | 'time'
  | 'currency'
  | 'characters'
  | 'verbatim';

export type InlineItem =
  | {
      kind: 'text';
      /** What the user wrote (display text). */
      text: string;
      /** What to read instead (from <sub alias>); normalised like other text. */
      alias?: string;
      /** How to read `text` (from <say-as>). */
      sayAs?: { kind: SayAsKind; format?: string };
      /** True for <w>, <sub>, <say-as>: never split inside. */
      atomic: boolean;
      prosody: PieceProsody;
      voice?: string;
    }
  | { kind: 'phoneme'; text: string; alphabet: 'pinyin' | 'ipa'; phonemes: string; prosody: PieceProsody; voice?: string }
  | { kind: 'silence'; ms: number; voice?: string }
  /**
   * <s>, <p>, <speak> edges and paragraph breaks: a segment ends here. `sentence`: an <s> or <p>
   * edge, which ends a sentence whatever its punctuation (the listener hears a sentence's pause).
   */
  | { kind: 'boundary'; sentence?: boolean };
