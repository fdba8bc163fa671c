import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runStoreContract } from '../store.test-suite.js';
import type { NewJob } from '../store.types.js';
import { SQLITE_MIGRATIONS } from './sqlite.migrations.js';
import { createSqliteStore } from './sqlite.store.js';

function tempDir() {
  return mkdtempSync(join(tmpdir(), 'narrate-store-'));
}

/** A minimal valid job; the tests here care about ids, times and keys only. */
function job(overrides: Partial<NewJob> & Pick<NewJob, 'id' | 'mediaId'>): NewJob {
  return {
    ownerKeyId: 'k', title: 't', description: null, userData: null, inputText: 'x', editingConfig: '{}',
    outputBucket: 'b', outputObject: 'o', overwrite: false, createdAt: new Date(0), ...overrides,
  };
}

runStoreContract('sqlite', async () => {
  const dir = tempDir();
  const store = createSqliteStore({ path: join(dir, 'narrate.db') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('sqlite store specifics', () => {
  it('opens the file in WAL mode with full sync and foreign keys, and keeps data across reopen', async () => {
    const dir = tempDir();
    const path = join(dir, 'sub', 'narrate.db');
    try {
      const store = createSqliteStore({ path });
      await store.putSetting('a', 'b');
      await store.close();
      const reopened = createSqliteStore({ path });
      expect(await reopened.getSetting('a')).toBe('b');
      await reopened.close();

      const raw = new Database(path);
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.prepare('SELECT version FROM schema_version ORDER BY version').all()).toEqual(SQLITE_MIGRATIONS.map(({ version }) => ({ version })));
      raw.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('claims and lists jobs in index order, never by scanning and sorting the table', async () => {
    const dir = tempDir();
    const path = join(dir, 'narrate.db');
    try {
      const store = createSqliteStore({ path });
      await store.close();
      const raw = new Database(path);
      const plan = (sql: string) => (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((row) => row.detail).join('; ');
      const claim = plan(`SELECT id, created_at FROM jobs WHERE state = 'Created' ORDER BY created_at, id LIMIT 1`);
      const byState = plan(`SELECT * FROM jobs WHERE state = 'Finished' ORDER BY created_at DESC, id DESC LIMIT 10`);
      const all = plan(`SELECT * FROM jobs ORDER BY created_at, id LIMIT 10`);
      const byOutput = plan(`SELECT * FROM jobs WHERE state = 'Finished' AND output_bucket = 'b' AND output_object IN ('k', 'k.mp3') ORDER BY modified_at DESC LIMIT 1`);
      raw.close();
      // GetMediaInfo by InputURL seeks into the partial index that only finished jobs enter.
      expect(byOutput).toMatch(/SEARCH jobs USING INDEX jobs_finished_output \(output_bucket=\? AND output_object=\?\)/);
      // A state filter seeks into jobs_state_created; walking jobs_created and filtering would be a scan.
      expect(claim).toMatch(/SEARCH jobs USING (COVERING )?INDEX jobs_state_created \(state=\?\)/);
      expect(byState).toMatch(/SEARCH jobs USING (COVERING )?INDEX jobs_state_created \(state=\?\)/);
      expect(all).toMatch(/USING (COVERING )?INDEX jobs_created/);
      for (const detail of [claim, byState, all]) expect(detail).not.toMatch(/TEMP B-TREE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a database from a newer schema version', () => {
    const dir = tempDir();
    const path = join(dir, 'narrate.db');
    try {
      createSqliteStore({ path }).close();
      const raw = new Database(path);
      raw.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (99, ?, 0)').run('future');
      raw.close();
      expect(() => createSqliteStore({ path })).toThrow(/newer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('does every write in its writer thread: errors keep their SQLite code, and a closed store refuses writes', async () => {
    const dir = tempDir();
    try {
      const store = createSqliteStore({ path: join(dir, 'narrate.db') });
      await store.createJob(job({ id: 'c'.repeat(32), mediaId: 'd'.repeat(32) }));
      await expect(store.createJob(job({ id: 'c'.repeat(32), mediaId: 'e'.repeat(32) }))).rejects.toMatchObject({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' });
      await store.ping();
      // Writes started before close finish; later ones are refused.
      const pending = store.putSetting('k', 'v');
      await store.close();
      await pending;
      await expect(store.putSetting('k', 'w')).rejects.toThrow(/closed/);
      const raw = new Database(join(dir, 'narrate.db'), { readonly: true });
      expect(raw.prepare('SELECT value FROM settings WHERE key = ?').get('k')).toEqual({ value: 'v' });
      raw.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers each of many writes that share a batch in the writer thread with its own outcome', async () => {
    const dir = tempDir();
    const path = join(dir, 'narrate.db');
    try {
      const store = createSqliteStore({ path });
      const nonce = (n: string) => ({ keyId: 'k', nonce: n, now: new Date(0), ttlMs: 60_000 });
      const id = (n: number) => n.toString(16).padStart(32, '0');
      await store.createJob(job({ id: id(0), mediaId: `m${id(0).slice(1)}` }));
      // Sent in one turn, so the thread commits them together and replies to them in one message.
      const outcomes = await Promise.allSettled(
        Array.from({ length: 20 }, (_, n) =>
          // Job 5 reuses job 0's id; job 9 reuses job 8's nonce.
          store.createJob(job({ id: id(n === 5 ? 0 : n + 1), mediaId: `m${id(n + 1).slice(1)}` }), { nonce: nonce(`n${n === 9 ? 8 : n}`) }),
        ),
      );
      outcomes.forEach((outcome, n) => {
        if (n === 5) expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' } });
        else if (n === 9) expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'SignatureNonceUsed' } });
        else expect(outcome).toMatchObject({ status: 'fulfilled', value: { id: id(n + 1) } });
      });
      // The failed insert took its nonce with it; the others' nonces are spent.
      expect(await store.useNonce(nonce('n5'))).toBe(true);
      expect(await store.useNonce(nonce('n4'))).toBe(false);
      expect((await store.countJobsByState()).Created).toBe(19);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('records exactly one completion row per finished job', async () => {
    const dir = tempDir();
    const path = join(dir, 'narrate.db');
    try {
      const store = createSqliteStore({ path });
      const now = new Date(0);
      await store.createJob(job({ id: 'a'.repeat(32), mediaId: 'b'.repeat(32), createdAt: now }));
      await store.claimJob({ workerId: 'w', leaseMs: 1000, now });
      const outcome = { state: 'Failed' as const, errorCode: 'E', errorMessage: 'm' };
      expect(await store.completeJob({ jobId: 'a'.repeat(32), workerId: 'w', now, outcome })).toBe(true);
      expect(await store.completeJob({ jobId: 'a'.repeat(32), workerId: 'w', now, outcome })).toBe(false);
      await store.close();
      const raw = new Database(path, { readonly: true });
      expect(raw.prepare('SELECT job_id, worker_id, state, attempt FROM job_completions').all()).toEqual([
        { job_id: 'a'.repeat(32), worker_id: 'w', state: 'Failed', attempt: 1 },
      ]);
      raw.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('never gives one job to two processes claiming from the same file at once', async () => {
    const dir = tempDir();
    const path = join(dir, 'narrate.db');
    try {
      const store = createSqliteStore({ path });
      const total = 300;
      for (let n = 0; n < total; n++) {
        await store.createJob(job({ id: n.toString(16).padStart(32, '0'), mediaId: `m${n.toString(16).padStart(31, '0')}`, outputObject: `o${n}`, createdAt: new Date(n) }));
      }
      await store.close();

      const script = join(dirname(fileURLToPath(import.meta.url)), 'sqlite.claim-race.test-utils.ts');
      const children = ['p1', 'p2', 'p3'].map((workerId) => {
        const child = spawn(process.execPath, ['--import', 'tsx', script, path, workerId], { stdio: ['pipe', 'pipe', 'inherit'] });
        let out = '';
        const ready = new Promise<void>((resolve) => {
          child.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (out.startsWith('ready\n')) resolve();
          });
        });
        const done = new Promise<string[]>((resolve, reject) => {
          child.on('error', reject);
          child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.slice('ready\n'.length)) as string[]) : reject(new Error(`claimer exited ${code}`))));
        });
        return { child, ready, done };
      });
      await Promise.all(children.map((c) => c.ready));
      for (const c of children) c.child.stdin.end('go\n');
      const claimed = await Promise.all(children.map((c) => c.done));
      const all = claimed.flat();
      expect(all).toHaveLength(total);
      expect(new Set(all).size).toBe(total);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
