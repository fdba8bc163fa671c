/** Plain-text tables for benchmark output (aligned columns, no dependencies). */

export type Cell = string | number;

/** Formats a number with a fixed count of decimals, or '—' when it is not finite. */
export function fixed(value: number, decimals: number): string {
  return Number.isFinite(value) ? value.toFixed(decimals) : '—';
}

/**
 * Renders rows under a header; the first column is left-aligned, the others right-aligned
 * (they are numbers), so columns line up in a terminal and in a README code block.
 */
export function renderTable({ header, rows }: { header: Cell[]; rows: Cell[][] }): string {
  const all = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(all[0]), rule, ...all.slice(1).map(line)].join('\n');
}
