/** Rewrites the option tables in README.md and docs/deployment.md from src/config/config.ts (npm run docs:options). */
import { readFile, writeFile } from 'node:fs/promises';
import { optionsMarkdown } from '../src/config/config.js';

for (const name of ['../README.md', '../docs/deployment.md']) {
  const file = new URL(name, import.meta.url);
  const text = await readFile(file, 'utf8');
  const start = text.indexOf('| flag | environment |');
  const end = text.indexOf('\n\n', start);
  if (start < 0 || end < 0) throw new Error(`${name} has no option table to replace`);
  await writeFile(file, text.slice(0, start) + optionsMarkdown() + text.slice(end));
}
