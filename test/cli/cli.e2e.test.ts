/** The `narrate` command as a user runs it: say, voices list/pull, keys. */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../support/audio-analysis.js';
import { writePiperPack } from '../support/synthetic-models.js';

const root = path.resolve(import.meta.dirname, '..', '..');
const run = promisify(execFile);
// Run from a scratch directory, so tsx is named by its path rather than resolved from the cwd.
const TSX = pathToFileURL(path.join(root, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
let dir: string;

function narrate(args: string[], { input, env = {} }: { input?: string; env?: Record<string, string> } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, path.join(root, 'src', 'cli', 'narrate.ts'), ...args], {
      cwd: dir,
      env: { ...process.env, NARRATE_VOICES_DIR: path.join(dir, 'voices'), NARRATE_DATA_DIR: path.join(dir, 'data'), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'narrate-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('narrate say', () => {
  it('writes an MP3 and the timings', async () => {
    const result = await narrate(['say', '你好，世界。今天天气很好。', '--voice', 'Siqi', '-o', 'hello.mp3', '--timings', 'hello.json']);
    expect(result.code, result.stderr).toBe(0);
    const audio = await decodeAudio(new Uint8Array(await readFile(path.join(dir, 'hello.mp3'))), 'mp3');
    expect(audio.sampleRate).toBe(16000);
    const timings = JSON.parse(await readFile(path.join(dir, 'hello.json'), 'utf8'));
    expect(timings.map((t: { text: string }) => t.text)).toEqual(['你好，', '世界。', '今天天气很好。']);
    expect(Math.abs(timings.at(-1).end_time - audio.durationMs)).toBeLessThanOrEqual(1);
  });

  it('reads standard input and honours format, sample rate, speech rate, pitch and volume', async () => {
    const slow = await narrate(['say', '-', '--voice', 'Harry', '--format', 'wav', '--sample-rate', '24000', '--speech-rate', '-500', '-o', 'slow.wav'], { input: 'Hello there. It is 3:30 pm.' });
    const fast = await narrate(['say', '-', '--voice', 'Harry', '--format', 'wav', '--sample-rate', '24000', '--speech-rate', '500', '--pitch-rate', '100', '--volume', '70', '-o', 'fast.wav'], { input: 'Hello there. It is 3:30 pm.' });
    expect(slow.code, slow.stderr).toBe(0);
    expect(fast.code, fast.stderr).toBe(0);
    const a = await decodeAudio(new Uint8Array(await readFile(path.join(dir, 'slow.wav'))), 'wav');
    const b = await decodeAudio(new Uint8Array(await readFile(path.join(dir, 'fast.wav'))), 'wav');
    expect(a.sampleRate).toBe(24000);
    expect(a.durationMs / b.durationMs).toBeGreaterThan(3);
  });

  it('takes the format from the output file name when --format is not given', async () => {
    const result = await narrate(['say', 'Hello.', '--voice', 'Harry', '-o', 'named.wav']);
    expect(result.code, result.stderr).toBe(0);
    const bytes = await readFile(path.join(dir, 'named.wav'));
    expect(bytes.toString('ascii', 0, 4)).toBe('RIFF');
    expect((await decodeAudio(new Uint8Array(bytes), 'wav')).durationMs).toBeGreaterThan(200);
    // With neither, MP3 into narrate.mp3; --format names the default file too.
    expect((await narrate(['say', 'Hi.', '--voice', 'Harry', '--format', 'pcm'])).code).toBe(0);
    expect((await stat(path.join(dir, 'narrate.pcm'))).size).toBeGreaterThan(1000);
  });

  it('an unknown voice or a bad range is a clear error with exit code 2', async () => {
    const unknown = await narrate(['say', 'hi', '--voice', 'Nobody', '-o', 'x.mp3']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('InvalidParameter.Voice');
    const range = await narrate(['say', 'hi', '--volume', '101', '-o', 'x.mp3']);
    expect(range.code).toBe(2);
    expect(range.stderr).toMatch(/volume/);
    await expect(stat(path.join(dir, 'x.mp3'))).rejects.toThrow();
  });

  it('refuses a number flag that is not a whole number (an unset shell variable is not volume 0)', async () => {
    for (const [flag, value] of [['--volume', ''], ['--speech-rate', ' '], ['--volume', '0x20'], ['--pitch-rate', '1e2']]) {
      const result = await narrate(['say', 'hi', flag!, value!, '-o', 'y.mp3']);
      expect(result.code, `${flag} "${value}"`).toBe(2);
      expect(result.stderr.trim()).toBe(`narrate say: ${flag}: expected a whole number, got "${value}"`);
    }
    await expect(stat(path.join(dir, 'y.mp3'))).rejects.toThrow();
  });

  it('reads --input - from standard input, and refuses TEXT together with --input', async () => {
    const piped = await narrate(['say', '--input', '-', '--voice', 'Harry', '-o', 'piped.wav'], { input: 'Piped in.' });
    expect(piped.code, piped.stderr).toBe(0);
    expect((await decodeAudio(new Uint8Array(await readFile(path.join(dir, 'piped.wav'))), 'wav')).durationMs).toBeGreaterThan(300);
    const both = await narrate(['say', 'hi', '--input', 'piped.wav']);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give TEXT or --input FILE, not both');
  });

  it('names the flag in a range error', async () => {
    const result = await narrate(['say', 'hi', '--pitch-rate', '501', '-o', 'z.mp3']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^narrate say: --pitch-rate: InvalidParameter: .*outside -500…500/);
  });
});

describe('narrate errors', () => {
  it('reports a missing file or directory in one line, without a stack trace', async () => {
    for (const args of [
      ['say', 'hi', '-o', path.join(dir, 'no-such-dir', 'a.mp3')],
      ['say', '--input', path.join(dir, 'no-such-file.txt')],
    ]) {
      const result = await narrate(args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(/^narrate: ENOENT: no such file or directory, open '.*no-such-/);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('ends a usage error with a short hint rather than the whole help, exit code 2; --version prints the version', async () => {
    const unknown = await narrate(['say', '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toEqual(["error: unknown option '--bogus'", '(add --help for usage)']);
    const state = await narrate(['deliveries', 'list', '--state', 'lost']);
    expect(state.code).toBe(2);
    expect(state.stderr).toContain('Allowed choices are pending, delivered, dead');
    const version = await narrate(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')).version);
    const help = await narrate(['say', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--speech-rate');
  });

  it('reports an unknown delivery by its error code, in one line', async () => {
    const result = await narrate(['deliveries', 'resend', 'no-such-delivery']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('narrate: DeliveryNotFound: The specified callback delivery not found: no-such-delivery');
  });

  it('is not stopped by a bad variable that only another command reads', async () => {
    const result = await narrate(['keys', 'list'], { env: { NARRATE_CALLBACK_MODE: 'sometimes' } });
    expect(result.code, result.stderr).toBe(0);
    const worker = await narrate(['worker', '--lease-seconds', '30'], { env: { NARRATE_CALLBACK_MODE: 'sometimes' } });
    expect(worker.code).toBe(2);
    expect(worker.stderr).toContain('"sometimes" is not one of backoff, ice');
  });
});

describe('narrate voices', () => {
  it('list shows every catalog name with what speaks it, and picks up an installed pack', async () => {
    const before = await narrate(['voices', 'list']);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toMatch(/^Siqi\s+思琪\s+Female\s+zh\+en\s+espeak cmn\+f\d/m);
    expect(before.stdout).toMatch(/^alloy\s/m);
    expect(before.stdout.match(/^\S+\s/gm)!.length).toBeGreaterThanOrEqual(44);

    await writePiperPack({ voicesDir: path.join(dir, 'voices'), name: 'en_US-amy-low', voice: 'en-us' });
    const after = await narrate(['voices', 'list', '--json']);
    const mappings = JSON.parse(after.stdout) as Array<{ voice: string; resolved: { engineVoice: { engine: string; model: string } } }>;
    const abby = mappings.find((m) => m.voice === 'Abby')!;
    expect(abby.resolved.engineVoice).toMatchObject({ engine: 'sherpa', model: 'vits-piper-en_US-amy-low' });
    expect(mappings.find((m) => m.voice === 'Siqi')!.resolved.engineVoice.engine).toBe('espeak');
  });

  it('pull downloads from a server with a progress bar, checks the sha256 and installs; a wrong sha256 installs nothing', async () => {
    const source = path.join(dir, 'source');
    await writePiperPack({ voicesDir: source, name: 'zh_CN-test-low', voice: 'cmn' });
    await run('tar', ['-cjf', path.join(dir, 'pack.tar.bz2'), '-C', source, 'vits-piper-zh_CN-test-low']);
    const archive = await readFile(path.join(dir, 'pack.tar.bz2'));
    const sha256 = createHash('sha256').update(archive).digest('hex');
    const server = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-length': archive.length });
      response.end(archive);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/vits-piper-zh_CN-test-low.tar.bz2`;
    try {
      const bad = await narrate(['voices', 'pull', '--url', url, '--sha256', '0'.repeat(64)]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/sha256/);
      expect((await readdir(path.join(dir, 'voices'))).filter((name) => name.includes('zh_CN-test'))).toEqual([]);

      const good = await narrate(['voices', 'pull', '--url', url, '--sha256', sha256]);
      expect(good.code, good.stderr).toBe(0);
      expect(good.stderr).toMatch(/\[#+\s*\] 100%/);
      expect(good.stderr).toContain('installed vits-piper-zh_CN-test-low');
      const listed = await narrate(['voices', 'list']);
      expect(listed.stdout).toContain('vits-piper-zh_CN-test-low');
    } finally {
      server.close();
    }
  });
});

describe('narrate keys', () => {
  it('create prints a new pair once; list shows the id and never the secret', async () => {
    const created = await narrate(['keys', 'create', '--actions', 'ice:GetSmartHandleJob']);
    expect(created.code, created.stderr).toBe(0);
    const id = /AccessKeyId:\s+(\S+)/.exec(created.stdout)![1]!;
    const secret = /AccessKeySecret:\s+(\S+)/.exec(created.stdout)![1]!;
    expect(secret.length).toBeGreaterThanOrEqual(24);
    const listed = await narrate(['keys', 'list']);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain('ice:GetSmartHandleJob');
    expect(listed.stdout).not.toContain(secret);
  });

  it('create refuses an empty or misspelt action list and makes no key', async () => {
    const before = (await narrate(['keys', 'list'])).stdout;
    for (const actions of ['', 'SubmitAudioProduceJob']) {
      const result = await narrate(['keys', 'create', '--actions', actions]);
      expect(result.code, actions).toBe(2);
      expect(result.stderr).toMatch(/^narrate keys create: --actions: /);
      expect(result.stdout).toBe('');
    }
    expect((await narrate(['keys', 'list'])).stdout).toBe(before);
  });
});
