/** The docs stay true: their option tables are the one the code has. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { optionsMarkdown } from '../../src/config/config.js';

const root = path.resolve(import.meta.dirname, '..', '..');

it.each(['README.md', 'docs/deployment.md'])('%s lists every option exactly as src/config/config.ts defines it (npm run docs:options)', async (file) => {
  const text = await readFile(path.join(root, file), 'utf8');
  expect(text).toContain(optionsMarkdown());
});
