import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createGroupCommit } from './sqlite.group-commit.js';

function setup() {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE t (id TEXT PRIMARY KEY)');
  const insert = db.prepare('INSERT INTO t (id) VALUES (?)');
  return { db, insert, write: createGroupCommit(db) };
}

describe('group commit', () => {
  it('writes from one turn share one transaction; each resolves after it', async () => {
    const { db, insert, write } = setup();
    const seenInTransaction: boolean[] = [];
    const results = await Promise.all(
      ['a', 'b', 'c'].map((id) =>
        write(() => {
          seenInTransaction.push(db.inTransaction);
          return insert.run(id).changes;
        }),
      ),
    );
    expect(results).toEqual([1, 1, 1]);
    expect(seenInTransaction).toEqual([true, true, true]);
    expect(db.inTransaction).toBe(false);
    expect((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(3);
  });

  it('a failing write rolls back alone and rejects alone', async () => {
    const { db, insert, write } = setup();
    const outcomes = await Promise.allSettled([write(() => insert.run('x')), write(() => insert.run('x')), write(() => insert.run('y'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toMatch(/UNIQUE/);
    expect(db.prepare('SELECT id FROM t ORDER BY id').all()).toEqual([{ id: 'x' }, { id: 'y' }]);
  });

  it('writes in later turns get their own commit', async () => {
    const { db, insert, write } = setup();
    await write(() => insert.run('1'));
    expect(db.inTransaction).toBe(false);
    await write(() => insert.run('2'));
    expect((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(2);
  });
});
