/** Limits from the reference (§1.1, §8), in one place. */
export const LIMITS = {
  /** InputConfig characters, counted by the reference's rule (SSML tags excluded). */
  inputChars: 10_000,
  titleBytes: 128,
  descriptionBytes: 1024,
  userDataBytes: 512,
  /** Longest JobId list DeleteSmartJob takes at once. */
  deleteIds: 100,
} as const;

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
