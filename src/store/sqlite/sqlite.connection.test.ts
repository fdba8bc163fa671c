import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSqliteConnection } from './sqlite.connection.js';

describe('openSqliteConnection', () => {
  it('names the database file and the option when it cannot be opened', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'narrate-sqlite-open-'));
    try {
      await writeFile(path.join(dir, 'a-file'), '');
      const file = path.join(dir, 'a-file', 'data', 'narrate.db');
      expect(() => openSqliteConnection({ path: file })).toThrow(`cannot open the SQLite database ${file}`);
      expect(() => openSqliteConnection({ path: file })).toThrow(/--data-dir/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
