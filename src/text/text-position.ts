/** Turns a JavaScript string index into the 1-based line and column a user sees in an editor. */
export interface TextPosition {
  /** 1-based line. */
  line: number;
  /** 1-based column, in Unicode code points (an emoji is one column). */
  column: number;
}

export function createPositionMapper(input: string) {
  const lineStarts = [0];
  for (let i = 0; i < input.length; i++) {
    if (input.charCodeAt(i) === 10) lineStarts.push(i + 1);
  }
  return {
    at(offset: number): TextPosition {
      const index = Math.max(0, Math.min(offset, input.length));
      let low = 0;
      let high = lineStarts.length - 1;
      while (low < high) {
        const mid = (low + high + 1) >> 1;
        if (lineStarts[mid] <= index) low = mid;
        else high = mid - 1;
      }
      const lineText = input.slice(lineStarts[low], index);
      return { line: low + 1, column: countCodePoints(lineText) + 1 };
    },
  };
}

export type PositionMapper = ReturnType<typeof createPositionMapper>;

function countCodePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A high surrogate followed by a low one is one character.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}
