/**
 * Scratch files through the real process: a worker killed mid-render leaves `<jobId>-<rand>.part`
 * files in <data-dir>/tmp; the next `narrate serve` removes them on start, and only them.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_KEY, waitFor } from '../support/narrate-server.js';
import { freePort, startNarrateProcess, type NarrateProcess } from '../support/narrate-process.js';

const dirs: string[] = [];
const processes: NarrateProcess[] = [];

afterAll(async () => {
  for (const p of processes) await p.kill('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('scratch files left by a killed worker', () => {
  it('are removed when the worker starts again; other files stay', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'narrate-scratch-'));
    dirs.push(dataDir);
    const tmpDir = path.join(dataDir, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const stale = ['0123456789abcdef0123456789abcdef-89abcdef.part', 'fedcba9876543210fedcba9876543210-01234567.part'];
    for (const name of stale) await writeFile(path.join(tmpDir, name), 'half a render');
    await writeFile(path.join(tmpDir, 'keep-me.txt'), 'not ours');

    const port = await freePort();
    const server = await startNarrateProcess({
      command: 'serve',
      args: ['--data-dir', dataDir, '--voices-dir', path.join(dataDir, 'voices'), '--port', String(port), '--access-keys', `${TEST_KEY.id}:${TEST_KEY.secret}`],
    });
    processes.push(server);
    await waitFor(async () => (await readdir(tmpDir)).every((name) => !name.endsWith('.part')), { what: 'the stale scratch files to go', timeoutMs: 10_000 });
    expect(await readdir(tmpDir)).toEqual(['keep-me.txt']);
    expect(await server.kill('SIGTERM')).toBe(0);
  });
});

describe('a worker that cannot write its scratch directory', () => {
  it('refuses to start, naming the directory, instead of reporting ready and failing every job', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'narrate-scratch-'));
    dirs.push(dataDir);
    // The database can be opened, but <data-dir>/tmp is a file: no render could be written there.
    await writeFile(path.join(dataDir, 'tmp'), 'in the way');
    const started = startNarrateProcess({ command: 'worker', args: ['--data-dir', dataDir, '--voices-dir', path.join(dataDir, 'voices')] });
    await expect(started).rejects.toThrow(/exited early[\s\S]*scratch directory .*tmp must be writable/);
  });
});
