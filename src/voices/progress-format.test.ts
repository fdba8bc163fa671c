import { describe, expect, it } from 'vitest';
import { formatProgress } from './progress-format.js';

describe('formatProgress', () => {
  it('draws a bar with percent and megabytes', () => {
    expect(formatProgress(12_300_000, 27_000_000)).toBe('[#####     ] 45% 12.3/27.0 MB');
    expect(formatProgress(0, 27_000_000)).toBe('[          ] 0% 0.0/27.0 MB');
    expect(formatProgress(27_000_000, 27_000_000)).toBe('[##########] 100% 27.0/27.0 MB');
  });

  it('shows only bytes when the total is unknown, and caps at 100%', () => {
    expect(formatProgress(5_250_000, null)).toBe('5.3 MB');
    expect(formatProgress(30_000_000, 27_000_000)).toBe('[##########] 100% 30.0/27.0 MB');
  });
});
