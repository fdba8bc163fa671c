/** The README stays true: its option table is the one the code has. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { optionsMarkdown } from '../../src/config/config.js';

it('README lists every option exactly as src/config/config.ts defines it (npm run docs:options)', async () => {
  const readme = await readFile(path.resolve(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  expect(readme).toContain(optionsMarkdown());
});
