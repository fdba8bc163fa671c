/**
 * Durability: the server is killed with SIGKILL while jobs execute and right after submits; after a
 * restart every accepted job finishes exactly once with an intact file.
 */
import Database from 'better-sqlite3';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../support/audio-analysis.js';
import { popCoreClient } from '../support/ice-clients.js';
import { TEST_KEY, waitFor } from '../support/narrate-server.js';
import { freePort, startNarrateProcess, type NarrateProcess } from '../support/narrate-process.js';

type Body = Record<string, any>;
const dirs: string[] = [];
const processes: NarrateProcess[] = [];

afterAll(async () => {
  for (const p of processes) await p.kill('SIGKILL');
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

// A few hundred characters: long enough to be caught mid-render, short enough to keep the test quick.
const LONG_TEXT = Array.from({ length: 12 }, (_, i) => `第${i + 1}段：说起郭德纲，他现在可以说是红得发紫了。今天是2024年1月${i + 1}日，天气晴朗。`).join('');

describe('SIGKILL and restart', () => {
  it('every accepted job finishes exactly once, with an intact file', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'narrate-crash-'));
    dirs.push(dataDir);
    const port = await freePort();
    const args = ['--data-dir', dataDir, '--voices-dir', path.join(dataDir, 'voices'), '--port', String(port), '--access-keys', `${TEST_KEY.id}:${TEST_KEY.secret}`, '--lease-seconds', '5', '--concurrency', '2', '--rate-limit', '0'];
    const client = popCoreClient({ port, ...TEST_KEY });
    const call = (action: string, params: Record<string, string>) => client.request(action, params, { method: 'POST' }) as Promise<Body>;
    const submit = (i: number) =>
      call('SubmitAudioProduceJob', {
        EditingConfig: JSON.stringify({ voice: i % 2 ? 'Siqi' : 'Harry', format: i % 3 === 0 ? 'WAV' : 'MP3' }),
        InputConfig: i % 2 ? LONG_TEXT : LONG_TEXT.replace(/[^\d]/g, ' ').trim() + ' and some English words to read.',
        OutputConfig: JSON.stringify({ bucket: 'crash', object: `job-${i}` }),
      });

    let server = await startNarrateProcess({ command: 'serve', args });
    processes.push(server);
    const jobIds: string[] = [];
    for (let i = 0; i < 6; i++) jobIds.push((await submit(i)).JobId);

    // Kill it while something is rendering.
    await waitFor(async () => {
      const listed = await call('ListSmartJobs', { JobState: 'Executing', PageSize: '10' });
      return listed.SmartJobList.length > 0;
    }, { what: 'a job to be executing', intervalMs: 20 });
    await server.kill('SIGKILL');

    // Restart, submit more, and kill it again right after the submits were acknowledged.
    server = await startNarrateProcess({ command: 'serve', args });
    processes.push(server);
    for (let i = 6; i < 9; i++) jobIds.push((await submit(i)).JobId);
    await server.kill('SIGKILL');

    server = await startNarrateProcess({ command: 'serve', args });
    processes.push(server);
    const results = new Map<string, Body>();
    for (const id of jobIds) {
      results.set(id, await waitFor(async () => {
        const body = await call('GetSmartHandleJob', { JobId: id });
        return body.State === 'Finished' || body.State === 'Failed' ? body : null;
      }, { timeoutMs: 90_000, what: `job ${id}` }));
    }
    await server.kill('SIGTERM');

    for (const [i, id] of jobIds.entries()) {
      const body = results.get(id)!;
      expect(body.State, `${id}: ${body.ErrorCode} ${body.ErrorMessage}`).toBe('Finished');
      const format = i % 3 === 0 ? 'wav' : 'mp3';
      const bytes = new Uint8Array(await readFile(path.join(dataDir, 'buckets', 'crash', `job-${i}.${format}`)));
      const audio = await decodeAudio(bytes, format);
      const timings = JSON.parse(body.JobResult.AiResult);
      expect(Math.abs(audio.durationMs - timings.at(-1).end_time)).toBeLessThan(format === 'wav' ? 2 : 150);
    }

    // The audit: one completion row per job (a primary key, so a second completion would have failed),
    // and every job that was interrupted shows more than one attempt.
    const db = new Database(path.join(dataDir, 'narrate.db'), { readonly: true });
    const completions = db.prepare('SELECT job_id, count(*) AS n FROM job_completions GROUP BY job_id').all() as Array<{ job_id: string; n: number }>;
    const attempts = db.prepare('SELECT max(attempts) AS most FROM jobs').get() as { most: number };
    db.close();
    expect(completions.map((row) => row.job_id).sort()).toEqual([...jobIds].sort());
    expect(completions.every((row) => row.n === 1)).toBe(true);
    expect(attempts.most).toBeGreaterThanOrEqual(2);
  }, 240_000);
});

describe('narrate worker --metrics-port', () => {
  it('a worker-only process serves /metrics and /readyz', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'narrate-worker-'));
    dirs.push(dataDir);
    const port = await freePort();
    const worker = await startNarrateProcess({ command: 'worker', args: ['--data-dir', dataDir, '--voices-dir', path.join(dataDir, 'voices'), '--metrics-port', String(port)] });
    processes.push(worker);
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('narrate_jobs_completed_total');
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { database: 'ok', storage: 'ok', worker: 'ok', scratch: 'ok' } });
    // The scratch directory stops being writable after start (here: a file where it was; as root,
    // permissions would not stop a write): every job would fail, so the worker is not ready.
    await rm(path.join(dataDir, 'tmp'), { recursive: true, force: true });
    await writeFile(path.join(dataDir, 'tmp'), 'not a directory');
    const notReady = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(notReady.status).toBe(503);
    const body = await notReady.json();
    expect(body).toEqual({ status: 'not ready', checks: { database: 'ok', storage: 'ok', worker: 'ok', scratch: 'unavailable' } });
    await rm(path.join(dataDir, 'tmp'));
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    await worker.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });
});
