/** `narrate voices pull` as a user runs it: usage errors and an offline pull, one line each, no stack. */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test/support/narrate-process.js';

const root = resolve(import.meta.dirname, '..', '..');
let dir: string;

function narrate(args: string[]) {
  return new Promise<{ code: number | null; stderr: string }>((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'cli', 'narrate.ts'), ...args], {
      cwd: root,
      env: { ...process.env, NARRATE_VOICES_DIR: join(dir, 'voices'), NARRATE_DATA_DIR: join(dir, 'data') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', (code) => done({ code, stderr }));
  });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'narrate-voices-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('narrate voices pull', () => {
  it('refuses a --mirror that is not an absolute http(s) URL as a usage error', async () => {
    const result = await narrate(['voices', 'pull', 'kokoro-multi-lang-v1_0', '--mirror', 'notaurl']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('narrate voices pull: --mirror "notaurl" is not usable: it must be an absolute http(s) URL, like https://mirror.example/sherpa-onnx\n');
  });

  it('says which URL it cannot reach when the network is down, in one line', async () => {
    const mirror = `http://127.0.0.1:${await freePort()}`;
    const result = await narrate(['voices', 'pull', 'kokoro-multi-lang-v1_0', '--mirror', mirror]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^narrate voices pull: Downloading the voice pack "kokoro-multi-lang-v1_0" failed: cannot reach ${mirror}/tts-models/kokoro-multi-lang-v1_0\\.tar\\.bz2\\.sha256: fetch failed \\(connect ECONNREFUSED [^)]*\\); nothing was installed\\.\\n$`),
    );
    expect(await readdir(join(dir, 'voices')).catch(() => [])).toEqual([]);
  });
});
