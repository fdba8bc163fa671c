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

  it('a single write that throws after writing rolls back alone: nothing of it is left, and the next write commits', async () => {
    const { db, insert, write } = setup();
    await expect(
      write(() => {
        insert.run('a');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(db.inTransaction).toBe(false);
    expect(db.prepare('SELECT id FROM t').all()).toEqual([]);
    await write(() => insert.run('b'));
    expect(db.prepare('SELECT id FROM t').all()).toEqual([{ id: 'b' }]);
  });

  it('a write that throws after writing, in a batch, loses its own rows only; the others commit once', async () => {
    const { db, insert, write } = setup();
    const outcomes = await Promise.allSettled([
      write(() => insert.run('a')),
      write(() => {
        insert.run('b');
        throw new Error('boom');
      }),
      write(() => insert.run('c').changes),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toBe('boom');
    expect((outcomes[2] as PromiseFulfilledResult<number>).value).toBe(1);
    expect(db.prepare('SELECT id FROM t ORDER BY id').all()).toEqual([{ id: 'a' }, { id: 'c' }]);
  });

  it('a commit that fails rejects every write of its batch and leaves nothing', async () => {
    const { db, insert, write } = setup();
    // A deferred foreign key is checked at COMMIT: every write runs, then the commit itself fails.
    db.pragma('foreign_keys = ON');
    db.exec('CREATE TABLE parent (id TEXT PRIMARY KEY); CREATE TABLE child (id TEXT PRIMARY KEY, parent TEXT REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)');
    const orphan = db.prepare("INSERT INTO child (id, parent) VALUES ('c', 'missing')");
    const outcomes = await Promise.allSettled([write(() => insert.run('a')), write(() => orphan.run())]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect((outcomes[0] as PromiseRejectedResult).reason.message).toMatch(/FOREIGN KEY/);
    expect(db.inTransaction).toBe(false);
    expect(db.prepare('SELECT id FROM t').all()).toEqual([]);
    expect(db.prepare('SELECT id FROM child').all()).toEqual([]);
  });

  it('writes in later turns get their own commit', async () => {
    const { db, insert, write } = setup();
    await write(() => insert.run('1'));
    expect(db.inTransaction).toBe(false);
    await write(() => insert.run('2'));
    expect((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n).toBe(2);
  });
});
