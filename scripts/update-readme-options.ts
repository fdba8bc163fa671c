/** Rewrites the option table in README.md from src/config/config.ts (npm run docs:options). */
import { readFile, writeFile } from 'node:fs/promises';
import { optionsMarkdown } from '../src/config/config.js';

const file = new URL('../README.md', import.meta.url);
const readme = await readFile(file, 'utf8');
const start = readme.indexOf('| flag | environment |');
const end = readme.indexOf('\n\n', start);
if (start < 0 || end < 0) throw new Error('README.md has no option table to replace');
await writeFile(file, readme.slice(0, start) + optionsMarkdown() + readme.slice(end));
