/**
 * `narrate voices pull`: downloads a voice pack archive, checks its sha256 while it streams to a
 * temporary file inside the voices directory, unpacks it into a temporary folder, and renames the
 * pack into place in one step. Whatever fails, nothing is left behind: no half pack, no temp files.
 *
 * Checksum policy: a pack is verified against, in order, the sha256 the caller gives, the catalog's
 * sha256, or a `<url>.sha256` sidecar file on the server. Only a 404 or 410 for the sidecar means
 * the server publishes none; an unreachable server or any other answer fails the pull, so a network
 * outage is never reported as a missing checksum. When no checksum exists the pull is refused
 * before any download, unless the caller passes `insecureSkipChecksum` (CLI
 * `--insecure-skip-checksum`); the computed sha256 is then recorded in narrate-pack.json with
 * `verified: false`, so it can be pinned later.
 *
 * A pack is installed only when the engine recognises a voice model in it (the same inspection the
 * engine runs at startup), so an archive of anything else never shows up as an installed pack.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { inspectPack } from '../engine/sherpa-packs.js';
import { AppError, errors, isAppError } from '../shared/errors.js';
import { extractPackArchive, PackArchiveError } from './pack-archive.js';
import { PACK_NAME_PATTERN, type PackCatalog } from './pack-catalog.models.js';
import { PACK_MANIFEST_FILE } from './pack-installed.js';
import type { InstalledPackManifest, PackCatalogEntry } from './voices.types.js';

/** Progress of one file: `bytes` only grows; the last call of a file has bytes === total when total is known. */
export interface PullProgress {
  phase: 'download' | 'unpack';
  /** The file being downloaded (archive or extra file name). */
  file: string;
  bytes: number;
  /** Content-Length when the server sent one, else null. */
  total: number | null;
}

export interface PullPackOptions {
  /** Catalog name of the pack; or give `url`. */
  name?: string;
  /** Archive URL (any `.tar.bz2`); the pack name is its file name without `.tar.bz2`. */
  url?: string;
  /** Expected sha256 (hex); overrides the catalog's. */
  sha256?: string;
  /** Where packs live (`--voices-dir`). Created when missing. */
  voicesDir: string;
  /** The pack catalog, loaded with the mirror if any (`loadPackCatalog({ mirror })`). */
  catalog: PackCatalog;
  /** HTTP client; defaults to the global fetch. Injected in tests. */
  fetch?: typeof globalThis.fetch;
  onProgress?: (progress: PullProgress) => void;
  /** Replace an installed pack of the same name. */
  force?: boolean;
  /** Install even when no checksum is known (recorded as unverified). */
  insecureSkipChecksum?: boolean;
  signal?: AbortSignal;
  /** Clock for installedAt. */
  now?: () => Date;
}

export interface PullPackResult {
  name: string;
  /** The installed pack folder. */
  dir: string;
  manifest: InstalledPackManifest;
}

const SHA256 = /^[0-9a-f]{64}$/;

function packNameFromUrl(url: string): string | null {
  let pathname: string;
  try {
    pathname = new URL(url).pathname;
  } catch {
    return null;
  }
  const file = decodeURIComponent(pathname.split('/').pop() ?? '');
  return file.endsWith('.tar.bz2') ? file.slice(0, -'.tar.bz2'.length) : null;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function message(e: unknown): string {
  if (e instanceof Error) {
    const cause = e.cause instanceof Error ? ` (${e.cause.message})` : '';
    return `${e.message}${cause}`;
  }
  return String(e);
}

export async function pullPack(options: PullPackOptions): Promise<PullPackResult> {
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? (() => new Date());

  // Which pack, from where.
  let entry: PackCatalogEntry | undefined;
  let name: string;
  let url: string;
  if (options.url) {
    const fromUrl = packNameFromUrl(options.url);
    if (!fromUrl) throw errors.invalidParameter('url', 'it must be an http(s) URL of a .tar.bz2 archive');
    name = options.name ?? fromUrl;
    url = options.url;
    entry = options.catalog.find(name);
  } else if (options.name) {
    entry = options.catalog.find(options.name);
    if (!entry) throw errors.packUnknown(options.name);
    name = entry.name;
    url = entry.url;
  } else {
    throw errors.missingParameter('name');
  }
  if (!PACK_NAME_PATTERN.test(name)) throw errors.invalidParameter('name', `"${name}" is not a plain folder name`);
  if (options.sha256 !== undefined && !SHA256.test(options.sha256.toLowerCase())) {
    throw errors.invalidParameter('sha256', 'it must be 64 hexadecimal digits');
  }

  await mkdir(options.voicesDir, { recursive: true });
  const dest = join(options.voicesDir, name);
  if (!options.force && (await exists(dest))) throw errors.packAlreadyInstalled(name);

  const sidecar = (fileUrl: string) => fetchSidecar({ fetchImpl, url: `${fileUrl}.sha256`, packName: name, signal: options.signal });

  // Settle every checksum before downloading anything big.
  const expected = options.sha256?.toLowerCase() ?? entry?.sha256 ?? (await sidecar(url));
  if (!expected && !options.insecureSkipChecksum) throw errors.packChecksumMissing(name);
  const extras: Array<{ url: string; file: string; sha256: string | null }> = [];
  for (const extra of entry?.extras ?? []) {
    const extraUrl = options.catalog.urlOf(extra.path);
    const sha = extra.sha256 ?? (await sidecar(extraUrl));
    if (!sha && !options.insecureSkipChecksum) throw errors.packChecksumMissing(`${name} (${extra.file})`);
    extras.push({ url: extraUrl, file: extra.file, sha256: sha });
  }

  const work = await mkdtemp(join(options.voicesDir, '.partial-'));
  try {
    const archivePath = join(work, 'archive.tar.bz2');
    const archive = await download({ fetchImpl, url, file: archivePath, label: `${name}.tar.bz2`, packName: name, options });
    if (expected && archive.sha256 !== expected) throw errors.packChecksumMismatch(name, expected, archive.sha256);

    const unpackDir = join(work, 'unpack');
    await mkdir(unpackDir);
    let topFolder: string;
    try {
      ({ topFolder } = await extractPackArchive({
        archivePath,
        destDir: unpackDir,
        onEntry: (count) => options.onProgress?.({ phase: 'unpack', file: `${name}.tar.bz2`, bytes: count, total: null }),
      }));
    } catch (e) {
      if (e instanceof PackArchiveError) throw errors.packArchiveInvalid(name, e.message, e);
      throw e;
    }
    await rm(archivePath, { force: true });
    // Stage the pack under its install name: the engine reads the name too (family, languages).
    const packDir = join(unpackDir, name);
    if (topFolder !== name) await rename(join(unpackDir, topFolder), packDir);

    for (const extra of extras) {
      const got = await download({ fetchImpl, url: extra.url, file: join(packDir, extra.file), label: extra.file, packName: name, options });
      if (extra.sha256 && got.sha256 !== extra.sha256) throw errors.packChecksumMismatch(`${name} (${extra.file})`, extra.sha256, got.sha256);
    }
    await requireLoadablePack({ voicesDir: options.voicesDir, stagedDir: packDir, name });

    const manifest: InstalledPackManifest = {
      name,
      sourceUrl: url,
      sha256: archive.sha256,
      verified: Boolean(expected),
      sizeBytes: archive.bytes,
      installedAt: now().toISOString(),
    };
    await writeFile(join(packDir, PACK_MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);

    // Swap in: the old pack (if replacing) moves into the work folder and goes with it.
    if (await exists(dest)) {
      if (!options.force) throw errors.packAlreadyInstalled(name);
      await rename(dest, join(work, 'previous'));
    }
    try {
      await rename(packDir, dest);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' || code === 'ENOTEMPTY') throw errors.packAlreadyInstalled(name);
      throw e;
    }
    return { name, dir: dest, manifest };
  } finally {
    await rm(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }
}

/**
 * The sha256 in a `.sha256` sidecar file, or null when the server has none (404 or 410). Every other
 * outcome is a packDownloadFailed naming the URL: only the server saying "not here" may turn into
 * "publishes none", never a server we could not ask or one that answered something else.
 */
async function fetchSidecar(args: { fetchImpl: typeof globalThis.fetch; url: string; packName: string; signal?: AbortSignal }): Promise<string | null> {
  const { fetchImpl, url, packName, signal } = args;
  let res: Response;
  try {
    res = await fetchImpl(url, { signal, redirect: 'follow' });
  } catch (e) {
    throw errors.packDownloadFailed(packName, `cannot reach ${url}: ${message(e)}`, e);
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    if (res.status === 404 || res.status === 410) return null;
    throw errors.packDownloadFailed(packName, `${url} answered HTTP ${res.status}`);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw errors.packDownloadFailed(packName, `the download of ${url} broke off: ${message(e)}`, e);
  }
  const m = /^\s*([0-9a-fA-F]{64})\b/.exec(text);
  if (!m) throw errors.packDownloadFailed(packName, `${url} does not start with a sha256 (64 hexadecimal digits)`);
  return m[1].toLowerCase();
}

/**
 * Refuses a staged pack the engine would not load, using the engine's own inspection so the rules
 * live in one place. The pack is inspected where it is staged, inside the voices directory, so the
 * engine also sees what sits beside the packs (a Matcha vocoder) as it will after the install.
 */
async function requireLoadablePack(args: { voicesDir: string; stagedDir: string; name: string }): Promise<void> {
  const { voicesDir, stagedDir, name } = args;
  const stagedName = relative(voicesDir, stagedDir);
  try {
    await inspectPack({ voicesDir, name: stagedName });
  } catch (e) {
    if (!isAppError(e)) throw e;
    // Say it as the installed pack would be named: the staging folder is about to be deleted.
    const stagingPrefix = `${relative(voicesDir, join(stagedDir, '..'))}${sep}`;
    const reason = e.message.replace(/^Speech synthesis failed: /, '').replaceAll(stagingPrefix, '');
    throw errors.packArchiveInvalid(name, `it holds no voice model Narrate can load (${reason.replace(/\.$/, '')})`, e);
  }
}

/** Streams `url` into `file`, hashing as it goes. Any failure is a packDownloadFailed AppError. */
async function download(args: {
  fetchImpl: typeof globalThis.fetch;
  url: string;
  file: string;
  label: string;
  packName: string;
  options: PullPackOptions;
}): Promise<{ sha256: string; bytes: number }> {
  const { fetchImpl, url, file, label, packName, options } = args;
  let res: Response;
  try {
    res = await fetchImpl(url, { signal: options.signal, redirect: 'follow' });
  } catch (e) {
    throw errors.packDownloadFailed(packName, `cannot reach ${url}: ${message(e)}`, e);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw errors.packDownloadFailed(packName, `${url} answered HTTP ${res.status}`);
  }
  const lengthHeader = res.headers.get('content-length');
  const total = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
  const hash = createHash('sha256');
  let bytes = 0;
  options.onProgress?.({ phase: 'download', file: label, bytes: 0, total });
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      options.onProgress?.({ phase: 'download', file: label, bytes, total });
      callback(null, chunk);
    },
  });
  try {
    await pipeline(Readable.fromWeb(res.body as unknown as NodeReadableStream<Uint8Array>), meter, createWriteStream(file, { flags: 'wx' }));
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw errors.packDownloadFailed(packName, `the download of ${label} broke off after ${bytes} bytes: ${message(e)}`, e);
  }
  if (total !== null && bytes !== total) {
    throw errors.packDownloadFailed(packName, `${label} ended after ${bytes} of ${total} bytes`);
  }
  return { sha256: hash.digest('hex'), bytes };
}
