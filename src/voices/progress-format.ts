/** A one-line text progress bar for `narrate voices pull`. */

const MB = 1_000_000;

/**
 * `[#####     ] 45% 12.3/27.0 MB`; without a known total: `12.3 MB`.
 * Bytes beyond the total (a server that lied about Content-Length) show as 100%.
 */
export function formatProgress(bytes: number, total: number | null | undefined, width = 10): string {
  const done = `${(bytes / MB).toFixed(1)}`;
  if (!total || total <= 0) return `${done} MB`;
  const ratio = Math.min(1, Math.max(0, bytes / total));
  const filled = Math.round(ratio * width);
  const percent = Math.floor(ratio * 100);
  return `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${percent}% ${done}/${(total / MB).toFixed(1)} MB`;
}
