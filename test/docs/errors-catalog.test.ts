/** docs/errors.md lists every code the catalog (src/shared/errors.ts) can produce, as errors.ts promises. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { errors, JOB_ERROR_CODES, type AppError } from '../../src/shared/errors.js';

const root = path.resolve(import.meta.dirname, '..', '..');

it('docs/errors.md names every error code of the catalog', async () => {
  const text = await readFile(path.join(root, 'docs/errors.md'), 'utf8');
  const codes = new Set<string>(Object.values(JOB_ERROR_CODES));
  for (const factory of Object.values(errors) as Array<(...args: unknown[]) => AppError>) codes.add(factory('X', 'X', 'X').code);
  const missing = [...codes].filter((code) => !(code === 'MissingX' ? text.includes('`Missing{Parameter}`') : text.includes(`\`${code}\``)));
  expect(missing).toEqual([]);
});
