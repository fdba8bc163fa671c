/** How the job list treats a fresh page of ListSmartJobs while the user is pointing at or focused in it. */

/**
 * The rows on screen, each replaced by its fresh copy when the fresh page still has it: states
 * change in place, but no row moves, appears or disappears under the pointer or the keyboard focus.
 */
export function updateInPlace<T extends { JobId: string }>(shown: readonly T[], fresh: readonly T[]): T[] {
  const byId = new Map(fresh.map((job) => [job.JobId, job]));
  return shown.map((job) => byId.get(job.JobId) ?? job);
}

/** SSML by the server's rule (src/text/parse-input.ts): a <speak> tag, opening or closing, in any case. */
const SPEAK_TAG = /<\/?speak[\s>/]/i;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntity(whole: string, name: string): string {
  if (name[0] !== '#') return ENTITIES[name.toLowerCase()] ?? whole;
  const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
  return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
}

/**
 * A job's text for its row in the list: SSML without its markup, plain text as it was typed (a
 * "<" in plain text is part of what is spoken), whitespace runs as one space, at most `max`
 * characters (code points, so an emoji is never cut in half).
 */
export function previewText(input: string, max = 80): string {
  let text = input;
  if (SPEAK_TAG.test(text)) {
    text = text
      .replace(/<!\[CDATA\[([\s\S]*?)\]\]>/g, ' $1 ')
      .replace(/<!--[\s\S]*?-->/g, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, decodeEntity);
  }
  return Array.from(text.replace(/\s+/g, ' ').trim()).slice(0, max).join('');
}
