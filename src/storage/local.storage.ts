/**
 * Object storage on local disk: `<root>/<bucket>/<key>` with `<root>` = `<data-dir>/buckets`.
 *
 * Writes are atomic renames of a file the caller prepared under `<root>/.tmp/` (same filesystem), so
 * a reader sees the old object or the whole new one, never a part. `.tmp` cannot clash with a bucket:
 * bucket names start with a letter or digit.
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, mkdirSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { errors } from '../shared/errors.js';
import { contentTypeForKey, validateBucketName, validateObjectKey } from './object-key.models.js';
import { ObjectExistsError, type ObjectInfo, type ObjectStorage, type PutObjectArgs } from './storage.types.js';

export interface LocalStorageOptions {
  /** Directory holding one sub-directory per bucket, normally `<data-dir>/buckets`. Created on demand. */
  root: string;
}

export type LocalStorage = ReturnType<typeof createLocalStorage>;

export function createLocalStorage(options: LocalStorageOptions) {
  const root = path.resolve(options.root);
  const tmpDir = path.join(root, '.tmp');
  let tmpDirReady = false;

  /** The real path of `<root>/<bucket>`, created if missing, never a symlink. */
  async function bucketDir(bucket: string, create: boolean): Promise<string | null> {
    validateBucketName(bucket);
    const realRoot = create ? await ensureDir(root) : await realpathOrNull(root);
    if (realRoot === null) return null;
    const dir = path.join(realRoot, bucket);
    if (create) await mkdirNoFollow(dir);
    const stat = await lstatOrNull(dir);
    if (stat === null) return null;
    if (!stat.isDirectory()) throw escapeError(bucket, '');
    return dir;
  }

  /**
   * Resolves `<bucket>/<key>` for reading: the real path must stay inside the bucket, so a symlink
   * planted in the tree cannot expose files elsewhere.
   */
  async function resolveForRead(bucket: string, key: string): Promise<string | null> {
    validateObjectKey(key);
    const dir = await bucketDir(bucket, false);
    if (dir === null) return null;
    const real = await realpathOrNull(path.join(dir, ...key.split('/')));
    if (real === null) return null;
    assertInside({ dir, target: real, bucket, key });
    return real;
  }

  /**
   * Creates the key's parent folders one at a time, refusing a symlink or file on the way (so even
   * `mkdir -p` cannot be steered outside the bucket), then re-checks the parent's real path.
   */
  async function resolveForWrite(bucket: string, key: string): Promise<string> {
    validateObjectKey(key);
    const dir = (await bucketDir(bucket, true)) as string;
    const segments = key.split('/');
    let parent = dir;
    for (const segment of segments.slice(0, -1)) {
      parent = path.join(parent, segment);
      await mkdirNoFollow(parent);
      const stat = await fs.lstat(parent);
      if (!stat.isDirectory()) throw escapeError(bucket, key);
    }
    const realParent = await fs.realpath(parent);
    if (realParent !== dir) assertInside({ dir, target: realParent, bucket, key });
    return path.join(realParent, segments[segments.length - 1]);
  }

  async function infoFor(args: { bucket: string; key: string; file: string }): Promise<ObjectInfo | null> {
    const stat = await statOrNull(args.file);
    if (stat === null || !stat.isFile()) return null;
    return { bucket: args.bucket, key: args.key, bytes: stat.size, contentType: contentTypeForKey(args.key), modifiedAt: stat.mtime };
  }

  /** Moves the source next to the target when it lives on another filesystem, so rename/link work. */
  async function sameFilesystemSource(sourcePath: string): Promise<string> {
    const tmp = storage.tempPath();
    await fs.copyFile(sourcePath, tmp);
    await fs.unlink(sourcePath).catch(() => undefined);
    return tmp;
  }

  const storage = {
    kind: 'local' as const,
    root,

    /**
     * A fresh path under `<root>/.tmp/` for the caller to write an object's bytes to before putObject,
     * on the same filesystem as the buckets so the final move is a rename.
     */
    tempPath(): string {
      if (!tmpDirReady) {
        // Sync once: callers want a path now, and this runs at most once per process.
        mkdirSync(tmpDir, { recursive: true });
        tmpDirReady = true;
      }
      return path.join(tmpDir, randomBytes(12).toString('hex'));
    },

    async putObject(args: PutObjectArgs): Promise<ObjectInfo> {
      const { bucket, key, overwrite } = args;
      let source = args.sourcePath;
      try {
        const target = await resolveForWrite(bucket, key);
        await fsyncFile(source);
        try {
          await moveIntoPlace({ source, target, overwrite, bucket, key });
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
          source = await sameFilesystemSource(source);
          await fsyncFile(source);
          await moveIntoPlace({ source, target, overwrite, bucket, key });
        }
        await fsyncDir(path.dirname(target));
        const info = await infoFor({ bucket, key, file: target });
        if (info === null) throw errors.internal(new Error(`${bucket}/${key} vanished right after it was written`));
        return info;
      } finally {
        // We own the source: on success it was renamed/unlinked already; on any failure drop it here.
        await fs.unlink(source).catch(() => undefined);
      }
    },

    async headObject(args: { bucket: string; key: string }): Promise<ObjectInfo | null> {
      const file = await resolveForRead(args.bucket, args.key);
      return file === null ? null : infoFor({ ...args, file });
    },

    async getObject(args: { bucket: string; key: string; range?: { start: number; end?: number } }) {
      const file = await resolveForRead(args.bucket, args.key);
      if (file === null) return null;
      // Open first, then fstat the descriptor: a concurrent replace cannot mix two objects in one read.
      let handle: fs.FileHandle;
      try {
        handle = await fs.open(file, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
      try {
        const stat = await handle.stat();
        if (!stat.isFile()) {
          await handle.close();
          return null;
        }
        const info: ObjectInfo = { bucket: args.bucket, key: args.key, bytes: stat.size, contentType: contentTypeForKey(args.key), modifiedAt: stat.mtime };
        const span = clampRange({ range: args.range, size: stat.size });
        // The stream owns the handle from here and closes it when done or destroyed.
        const body = handle.createReadStream({ autoClose: true, ...(span ?? {}) });
        return { info, body };
      } catch (error) {
        await handle.close().catch(() => undefined);
        throw error;
      }
    },

    async deleteObject(args: { bucket: string; key: string }): Promise<void> {
      const file = await resolveForRead(args.bucket, args.key);
      if (file === null) return;
      await fs.unlink(file).catch((error: unknown) => {
        if (!isMissing(error)) throw error;
      });
    },

    async objectUrl(args: { bucket: string; key: string; publicBaseUrl: string }): Promise<string> {
      validateBucketName(args.bucket);
      validateObjectKey(args.key);
      return localObjectUrl(args);
    },

    async ping(): Promise<void> {
      await fs.mkdir(root, { recursive: true });
      await fs.access(root, fsConstants.R_OK | fsConstants.W_OK);
    },
  };
  return storage satisfies ObjectStorage;
}

/** `${publicBaseUrl}/buckets/<bucket>/<key>` with each key segment percent-encoded. */
export function localObjectUrl(args: { bucket: string; key: string; publicBaseUrl: string }): string {
  const base = args.publicBaseUrl.replace(/\/+$/, '');
  const key = args.key.split('/').map(encodeURIComponent).join('/');
  return `${base}/buckets/${encodeURIComponent(args.bucket)}/${key}`;
}

/**
 * overwrite=false: link() fails with EEXIST if anything is at the target, atomically, so of two writers
 * exactly one wins; then the temp name is dropped. overwrite=true: rename() replaces atomically.
 */
async function moveIntoPlace(args: { source: string; target: string; overwrite: boolean; bucket: string; key: string }): Promise<void> {
  if (args.overwrite) {
    await fs.rename(args.source, args.target);
    return;
  }
  try {
    await fs.link(args.source, args.target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new ObjectExistsError(args.bucket, args.key);
    throw error;
  }
  await fs.unlink(args.source);
}

/** Inclusive byte span for createReadStream; S3's rules: end past the object is clamped, start past it is an error. */
function clampRange(args: { range?: { start: number; end?: number }; size: number }): { start: number; end: number } | null {
  const { range, size } = args;
  if (range === undefined) return null;
  const { start } = range;
  if (!Number.isSafeInteger(start) || start < 0) throw errors.invalidParameter('Range', 'start must be a non-negative integer.');
  if (range.end !== undefined && (!Number.isSafeInteger(range.end) || range.end < start)) {
    throw errors.invalidParameter('Range', 'end must be an integer not below start.');
  }
  if (start >= size) throw errors.rangeNotSatisfiable(size);
  return { start, end: Math.min(range.end ?? size - 1, size - 1) };
}

function assertInside(args: { dir: string; target: string; bucket: string; key: string }): void {
  if (!args.target.startsWith(args.dir + path.sep)) throw escapeError(args.bucket, args.key);
}

function escapeError(bucket: string, key: string) {
  return errors.invalidParameter('OutputConfig.object', `"${bucket}/${key}" resolves outside its bucket (a symlink or file is in the way).`);
}

async function ensureDir(dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  return fs.realpath(dir);
}

async function mkdirNoFollow(dir: string): Promise<void> {
  await fs.mkdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}

async function fsyncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes the new directory entry durable; some filesystems refuse fsync on a directory, which is harmless. */
async function fsyncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw error;
  } finally {
    await handle?.close();
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP';
}

async function realpathOrNull(p: string): Promise<string | null> {
  try {
    return await fs.realpath(p);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

async function lstatOrNull(p: string) {
  try {
    return await fs.lstat(p);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}

async function statOrNull(p: string) {
  try {
    return await fs.stat(p);
  } catch (error) {
    if (isMissing(error)) return null;
    throw error;
  }
}
