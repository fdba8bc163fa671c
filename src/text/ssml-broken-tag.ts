/**
 * Pieces of a tag left in SSML text. They are legal XML text, so the parser takes them for words and
 * they would be read aloud: a self-closing tag whose "<" was lost ('break time="1s"/>'), or attributes
 * cut off by a ">" typed too early ('<speak rate="1"> volume="50">'). A lost "<" of any other tag
 * leaves its element unclosed, which the parser refuses anyway.
 */

/** One quoted attribute, `name="value"` or `name='value'`, as a regular-expression source. */
export const ATTRIBUTE = String.raw`[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*')`;

/**
 * A finder for the SSML tags named: given text as written (entities not decoded, so "&gt;" is no tag),
 * the first broken piece and its index. The piece must not be glued to a word before it, so prose
 * like "a > b" or "yes>" passes.
 */
export function createBrokenTagFinder(tagNames: readonly string[]) {
  const pattern = new RegExp(
    String.raw`(?:^|[^A-Za-z0-9_-])(?<piece>(?:${tagNames.join('|')})(?:\s+${ATTRIBUTE})*\s*\/>|${ATTRIBUTE}(?:\s+${ATTRIBUTE})*\s*\/?>)`,
  );
  return (raw: string): { piece: string; index: number } | undefined => {
    const match = pattern.exec(raw);
    if (!match) return undefined;
    const piece = match.groups!.piece!;
    return { piece, index: match.index + match[0].length - piece.length };
  };
}
