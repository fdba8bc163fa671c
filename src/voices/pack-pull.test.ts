import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../../test/support/narrate-process.js';
import { matchaModelBytes, passThroughVocoderBytes, piperModelBytes } from '../../test/support/synthetic-models.js';
import { isAppError } from '../shared/errors.js';
import { loadPackCatalog } from './pack-catalog.models.js';
import { listInstalledPacks } from './pack-installed.js';
import { pullPack, type PullProgress } from './pack-pull.js';

const root = mkdtempSync(join(tmpdir(), 'narrate-pack-pull-'));
const files = new Map<string, Buffer>();
const requests: string[] = [];
let server: Server;
let base = '';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Builds `<name>.tar.bz2` with the system tar from a folder laid out by `make`. */
function buildArchive(name: string, make: (dir: string) => string[], tarArgs: string[] = []): Buffer {
  const src = mkdtempSync(join(root, 'src-'));
  const members = make(src);
  const out = join(root, `${name}-${Math.random().toString(36).slice(2)}.tar.bz2`);
  execFileSync('tar', ['-cjf', out, ...tarArgs, '-C', src, ...members]);
  return readFileSync(out);
}

/** A Piper pack the engine recognises (a tiny synthetic ONNX model), plus a link and bulk. */
function packLayout(top: string, model: { file: string; bytes: Uint8Array } = { file: 'model.onnx', bytes: piperModelBytes({ sampleRate: 16000, numSpeakers: 1, voice: 'en-us' }) }) {
  return (dir: string) => {
    mkdirSync(join(dir, top, 'espeak-ng-data'), { recursive: true });
    writeFileSync(join(dir, top, model.file), model.bytes);
    // Enough incompressible bytes for several network chunks, so progress has several steps.
    writeFileSync(join(dir, top, 'MODEL_CARD'), randomBytes(300_000));
    writeFileSync(join(dir, top, 'tokens.txt'), 'a 1\nb 2\n');
    // The four files sherpa-onnx checks in a data dir (real packs ship the whole eSpeak NG data).
    for (const f of ['phontab', 'phonindex', 'phondata', 'intonations']) writeFileSync(join(dir, top, 'espeak-ng-data', f), 'x');
    symlinkSync('tokens.txt', join(dir, top, 'tokens-link.txt'));
    return [top];
  };
}

beforeAll(async () => {
  files.set('/tts-models/good-pack.tar.bz2', buildArchive('good-pack', packLayout('good-pack')));
  files.set('/tts-models/side-pack.tar.bz2', buildArchive('side-pack', packLayout('side-pack')));
  files.set('/tts-models/side-pack.tar.bz2.sha256', Buffer.from(`${sha(files.get('/tts-models/side-pack.tar.bz2')!)}  side-pack.tar.bz2\n`));
  files.set('/tts-models/nosum-pack.tar.bz2', buildArchive('nosum-pack', packLayout('nosum-pack')));
  files.set('/tts-models/voc-pack.tar.bz2', buildArchive('voc-pack', packLayout('voc-pack')));
  files.set('/vocoder-models/vocos.onnx', Buffer.from('vocoder bytes'));
  // A normal pack folder plus `../evil`: GNU tar keeps the `..` only with -P.
  {
    const dir = mkdtempSync(join(root, 'src-'));
    mkdirSync(join(dir, 'inner'));
    packLayout('evil-pack')(join(dir, 'inner'));
    writeFileSync(join(dir, 'evil'), 'pwned');
    const out = join(dir, 'evil-pack.tar.bz2');
    execFileSync('tar', ['-cjPf', out, '-C', join(dir, 'inner'), 'evil-pack', '../evil']);
    expect(execFileSync('tar', ['-tjf', out]).toString()).toContain('../evil');
    files.set('/tts-models/evil-pack.tar.bz2', readFileSync(out));
  }
  files.set(
    '/tts-models/two-tops.tar.bz2',
    buildArchive('two-tops', (dir) => [...packLayout('a')(dir), ...packLayout('b')(dir)]),
  );
  files.set(
    '/tts-models/link-out.tar.bz2',
    buildArchive('link-out', (dir) => {
      packLayout('link-out')(dir);
      symlinkSync('../../../../etc/passwd', join(dir, 'link-out', 'passwd'));
      return ['link-out'];
    }),
  );
  // Archives that unpack cleanly but hold nothing the engine can load.
  files.set(
    '/tts-models/readme-pack.tar.bz2',
    buildArchive('readme-pack', (dir) => {
      mkdirSync(join(dir, 'readme-pack'));
      writeFileSync(join(dir, 'readme-pack', 'README.md'), 'no model here');
      return ['readme-pack'];
    }),
  );
  files.set('/tts-models/junk-pack.tar.bz2', buildArchive('junk-pack', packLayout('junk-pack', { file: 'model.onnx', bytes: Buffer.from('not an onnx model') })));
  // A Matcha pack as published: its vocoder is not in the archive but beside the packs.
  files.set(
    '/tts-models/matcha-pack.tar.bz2',
    buildArchive('matcha-pack', packLayout('matcha-pack', { file: 'model-steps-3.onnx', bytes: matchaModelBytes({ sampleRate: 22050, numSpeakers: 1, voice: 'en-us' }) })),
  );
  const good = files.get('/tts-models/good-pack.tar.bz2')!;
  files.set('/tts-models/corrupt-pack.tar.bz2', Buffer.concat([good.subarray(0, 200), Buffer.alloc(good.length - 200, 0x55)]));

  server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    requests.push(path);
    if (path === '/drop/good-pack.tar.bz2') {
      // Promise the whole archive, send half, then cut the connection.
      const body = files.get('/tts-models/good-pack.tar.bz2')!;
      res.writeHead(200, { 'content-length': String(body.length) });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    if (path.startsWith('/broken/')) {
      res.writeHead(503).end('try later');
      return;
    }
    if (path === '/html/offsite-pack.tar.bz2.sha256') {
      // A catch-all page, as some mirrors answer every path.
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Mirror</title>');
      return;
    }
    const body = files.get(path);
    if (!body) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': String(body.length), 'content-type': 'application/octet-stream' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});

function catalog(mirror = base) {
  const entry = (name: string, extra: object = {}) => ({
    name,
    path: `tts-models/${name}.tar.bz2`,
    sizeBytes: null,
    sha256: files.has(`/tts-models/${name}.tar.bz2`) ? sha(files.get(`/tts-models/${name}.tar.bz2`)!) : null,
    licence: 'test',
    languages: ['en'],
    speakers: 1,
    family: 'piper',
    sampleRate: 16000,
    ...extra,
  });
  return loadPackCatalog({
    mirror,
    data: {
      baseUrl: 'https://example.invalid/never-used',
      packs: [
        entry('good-pack'),
        entry('side-pack', { sha256: null }),
        entry('nosum-pack', { sha256: null }),
        entry('voc-pack', { extras: [{ path: 'vocoder-models/vocos.onnx', file: 'vocos.onnx', sizeBytes: null, sha256: sha(files.get('/vocoder-models/vocos.onnx')!) }] }),
        entry('evil-pack'),
        entry('two-tops'),
        entry('link-out'),
        entry('corrupt-pack'),
        entry('readme-pack'),
        entry('junk-pack'),
        entry('matcha-pack'),
        entry('gone-pack', { sha256: 'a'.repeat(64) }),
      ],
    },
  });
}

let voicesDir = '';
beforeEach(() => {
  voicesDir = mkdtempSync(join(root, 'voices-'));
  requests.length = 0;
});

async function pullError(options: Partial<Parameters<typeof pullPack>[0]>) {
  try {
    await pullPack({ voicesDir, catalog: catalog(), ...options });
  } catch (e) {
    if (isAppError(e)) return e;
    throw e;
  }
  throw new Error('pull succeeded but should have failed');
}

describe('pullPack', () => {
  it('downloads, verifies and unpacks a pack, reporting monotone progress up to the total', async () => {
    const progress: PullProgress[] = [];
    const result = await pullPack({
      name: 'good-pack',
      voicesDir,
      catalog: catalog(),
      onProgress: (p) => progress.push(p),
      now: () => new Date('2030-01-02T03:04:05Z'),
    });
    expect(result.dir).toBe(join(voicesDir, 'good-pack'));
    expect(readdirSync(voicesDir)).toEqual(['good-pack']);
    expect(readdirSync(result.dir).sort()).toEqual(['MODEL_CARD', 'espeak-ng-data', 'model.onnx', 'narrate-pack.json', 'tokens-link.txt', 'tokens.txt']);
    expect(readFileSync(join(result.dir, 'tokens-link.txt'), 'utf8')).toBe('a 1\nb 2\n');

    const archive = files.get('/tts-models/good-pack.tar.bz2')!;
    const downloads = progress.filter((p) => p.phase === 'download');
    expect(downloads.length).toBeGreaterThan(2);
    for (let i = 1; i < downloads.length; i++) expect(downloads[i].bytes).toBeGreaterThanOrEqual(downloads[i - 1].bytes);
    expect(downloads.every((p) => p.total === archive.length)).toBe(true);
    expect(downloads.at(-1)!.bytes).toBe(archive.length);

    const manifest = JSON.parse(readFileSync(join(result.dir, 'narrate-pack.json'), 'utf8'));
    expect(manifest).toEqual({
      name: 'good-pack',
      sourceUrl: `${base}/tts-models/good-pack.tar.bz2`,
      sha256: sha(archive),
      verified: true,
      sizeBytes: archive.length,
      installedAt: '2030-01-02T03:04:05.000Z',
    });
    expect(await listInstalledPacks(voicesDir)).toEqual([{ name: 'good-pack', dir: result.dir, manifest }]);
  });

  it('refuses a download whose sha256 does not match, leaving nothing behind', async () => {
    const e = await pullError({ name: 'good-pack', sha256: 'b'.repeat(64) });
    expect(e.code).toBe('VoicePack.ChecksumMismatch');
    expect(readdirSync(voicesDir)).toEqual([]);
  });

  it('reports a connection dropped mid-download, leaving nothing behind', async () => {
    const e = await pullError({ url: `${base}/drop/good-pack.tar.bz2`, sha256: sha(files.get('/tts-models/good-pack.tar.bz2')!) });
    expect(e.code).toBe('VoicePack.DownloadFailed');
    expect(e.message).toMatch(/broke off|ended after/);
    expect(readdirSync(voicesDir)).toEqual([]);
  });

  it('refuses an archive with a ../ path and writes nothing outside the voices directory', async () => {
    const e = await pullError({ name: 'evil-pack' });
    expect(e.code).toBe('VoicePack.ArchiveInvalid');
    expect(e.message).toMatch(/climbs out/);
    expect(readdirSync(voicesDir)).toEqual([]);
    expect(existsSync(join(root, 'evil'))).toBe(false);
    expect(existsSync(join(voicesDir, '..', 'evil'))).toBe(false);
  });

  it('refuses archives with two top folders or a link pointing out of the pack', async () => {
    expect((await pullError({ name: 'two-tops' })).message).toMatch(/more than one top folder/);
    expect((await pullError({ name: 'link-out' })).message).toMatch(/points outside/);
    expect(readdirSync(voicesDir)).toEqual([]);
  });

  it('refuses a corrupt archive even when its checksum matches', async () => {
    const e = await pullError({ name: 'corrupt-pack' });
    expect(e.code).toBe('VoicePack.ArchiveInvalid');
    expect(readdirSync(voicesDir)).toEqual([]);
  });

  it('reports a 404 as a failed download', async () => {
    const e = await pullError({ name: 'gone-pack' });
    expect(e.code).toBe('VoicePack.DownloadFailed');
    expect(e.message).toMatch(/HTTP 404/);
    expect(readdirSync(voicesDir)).toEqual([]);
  });

  it('reports an unreachable server as a failed download', async () => {
    const e = await pullError({ name: 'good-pack', fetch: async () => Promise.reject(new TypeError('fetch failed')) });
    expect(e.code).toBe('VoicePack.DownloadFailed');
    expect(readdirSync(voicesDir)).toEqual([]);
  });

  it('refuses a pack with no known checksum before downloading it, unless told to skip the check', async () => {
    const e = await pullError({ name: 'nosum-pack' });
    expect(e.code).toBe('VoicePack.ChecksumMissing');
    expect(requests).toEqual(['/tts-models/nosum-pack.tar.bz2.sha256']);
    expect(readdirSync(voicesDir)).toEqual([]);

    const result = await pullPack({ name: 'nosum-pack', voicesDir, catalog: catalog(), insecureSkipChecksum: true });
    expect(result.manifest.verified).toBe(false);
    expect(result.manifest.sha256).toBe(sha(files.get('/tts-models/nosum-pack.tar.bz2')!));
  });

  it('verifies against a published .sha256 sidecar when the catalog has no checksum', async () => {
    const result = await pullPack({ name: 'side-pack', voicesDir, catalog: catalog() });
    expect(result.manifest.verified).toBe(true);
  });

  it('reports an unreachable server as such when asking for the .sha256 sidecar, not as a missing checksum', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    for (const insecureSkipChecksum of [false, true]) {
      const e = await pullError({ name: 'nosum-pack', catalog: catalog(closed), insecureSkipChecksum });
      expect(e.code).toBe('VoicePack.DownloadFailed');
      expect(e.message).toContain(`cannot reach ${closed}/tts-models/nosum-pack.tar.bz2.sha256: fetch failed (connect ECONNREFUSED`);
      expect(e.message).not.toContain('\n');
    }
    expect(readdirSync(voicesDir)).toEqual([]);
  });

  it('fails on a sidecar answer other than 404/410 or a sha256, before downloading the archive', async () => {
    const unavailable = await pullError({ url: `${base}/broken/offsite-pack.tar.bz2` });
    expect(unavailable.code).toBe('VoicePack.DownloadFailed');
    expect(unavailable.message).toContain(`${base}/broken/offsite-pack.tar.bz2.sha256 answered HTTP 503`);
    const html = await pullError({ url: `${base}/html/offsite-pack.tar.bz2` });
    expect(html.code).toBe('VoicePack.DownloadFailed');
    expect(html.message).toContain(`${base}/html/offsite-pack.tar.bz2.sha256 does not start with a sha256`);
    expect(requests).toEqual(['/broken/offsite-pack.tar.bz2.sha256', '/html/offsite-pack.tar.bz2.sha256']);
    expect(readdirSync(voicesDir)).toEqual([]);
  });

  it('refuses an archive that holds no voice model the engine recognises, leaving nothing installed', async () => {
    const empty = await pullError({ url: `${base}/tts-models/readme-pack.tar.bz2`, insecureSkipChecksum: true });
    expect(empty.code).toBe('VoicePack.ArchiveInvalid');
    expect(empty.message).toContain(`voice pack "readme-pack" is incomplete: no .onnx model file in ${join(voicesDir, 'readme-pack')}`);
    expect(empty.message).not.toContain('.partial-');
    const junk = await pullError({ name: 'junk-pack' });
    expect(junk.code).toBe('VoicePack.ArchiveInvalid');
    expect(junk.message).toMatch(/model\.onnx is not a readable ONNX model/);
    expect(readdirSync(voicesDir)).toEqual([]);
    expect(await listInstalledPacks(voicesDir)).toEqual([]);
  });

  it('keeps the installed pack when a forced replacement holds no voice model', async () => {
    mkdirSync(join(voicesDir, 'readme-pack'));
    writeFileSync(join(voicesDir, 'readme-pack', 'keep.txt'), 'old');
    const e = await pullError({ url: `${base}/tts-models/readme-pack.tar.bz2`, insecureSkipChecksum: true, force: true });
    expect(e.code).toBe('VoicePack.ArchiveInvalid');
    expect(readdirSync(voicesDir)).toEqual(['readme-pack']);
    expect(readFileSync(join(voicesDir, 'readme-pack', 'keep.txt'), 'utf8')).toBe('old');
  });

  it('checks a Matcha pack against the vocoder beside the packs, as the engine will load it', async () => {
    const e = await pullError({ name: 'matcha-pack' });
    expect(e.code).toBe('VoicePack.ArchiveInvalid');
    expect(e.message).toMatch(/needs a vocoder/);
    expect(readdirSync(voicesDir)).toEqual([]);

    writeFileSync(join(voicesDir, 'hifigan_v2.onnx'), passThroughVocoderBytes());
    const result = await pullPack({ name: 'matcha-pack', voicesDir, catalog: catalog() });
    expect(readdirSync(voicesDir).sort()).toEqual(['hifigan_v2.onnx', 'matcha-pack']);
    expect(existsSync(join(result.dir, 'model-steps-3.onnx'))).toBe(true);
  });

  it('installs under the requested name when the archive’s folder is named differently', async () => {
    const result = await pullPack({ url: `${base}/tts-models/good-pack.tar.bz2`, name: 'renamed-pack', sha256: sha(files.get('/tts-models/good-pack.tar.bz2')!), voicesDir, catalog: catalog() });
    expect(result.dir).toBe(join(voicesDir, 'renamed-pack'));
    expect(readdirSync(voicesDir)).toEqual(['renamed-pack']);
  });

  it('refuses to overwrite an installed pack unless forced, and replaces it when forced', async () => {
    await pullPack({ name: 'good-pack', voicesDir, catalog: catalog() });
    writeFileSync(join(voicesDir, 'good-pack', 'stale.txt'), 'old');
    const e = await pullError({ name: 'good-pack' });
    expect(e.code).toBe('VoicePack.AlreadyInstalled');
    expect(existsSync(join(voicesDir, 'good-pack', 'stale.txt'))).toBe(true);

    await pullPack({ name: 'good-pack', voicesDir, catalog: catalog(), force: true });
    expect(existsSync(join(voicesDir, 'good-pack', 'stale.txt'))).toBe(false);
    expect(readdirSync(voicesDir)).toEqual(['good-pack']);
  });

  it('downloads a pack’s extra files (a vocoder) into the pack folder', async () => {
    const result = await pullPack({ name: 'voc-pack', voicesDir, catalog: catalog() });
    expect(readFileSync(join(result.dir, 'vocos.onnx'), 'utf8')).toBe('vocoder bytes');
  });

  it('rejects unknown names and URLs that are not .tar.bz2 archives', async () => {
    expect((await pullError({ name: 'no-such-pack' })).code).toBe('VoicePack.Unknown');
    expect((await pullError({ url: `${base}/x.zip` })).code).toBe('InvalidParameter');
    expect(readdirSync(voicesDir)).toEqual([]);
  });

  it('lists nothing for a missing voices directory and ignores leftover work folders', async () => {
    expect(await listInstalledPacks(join(root, 'does-not-exist'))).toEqual([]);
    mkdirSync(join(voicesDir, '.partial-abc'));
    mkdirSync(join(voicesDir, 'by-hand'));
    expect(await listInstalledPacks(voicesDir)).toEqual([{ name: 'by-hand', dir: join(voicesDir, 'by-hand'), manifest: null }]);
  });
});
