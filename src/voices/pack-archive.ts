/**
 * Unpacks a voice pack `.tar.bz2` into an empty folder, refusing anything a pack never needs and an
 * attacker would: absolute paths, `..`, links that point outside the pack, device files, and more
 * than one top folder. Checking happens per entry while streaming, so a bad archive stops at the
 * first bad entry instead of after decompressing hundreds of megabytes.
 */
import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { x as tarExtract, type ReadEntry } from 'tar';
import unbzip2 from 'unbzip2-stream';

/** Thrown for a refused or unreadable archive; `message` says why in plain words. */
export class PackArchiveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PackArchiveError';
  }
}

const ALLOWED_TYPES = new Set(['File', 'OldFile', 'ContiguousFile', 'Directory', 'SymbolicLink', 'Link']);

function isAbsoluteLike(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:/.test(p);
}

/** Archive path without `./` prefixes and trailing slashes; tar writes both. */
function cleanPath(p: string): string {
  let s = p.replaceAll('\\', '/');
  while (s.startsWith('./')) s = s.slice(2);
  return s.replace(/\/+$/, '');
}

/** Returns why the entry is refused, or null when it is fine. `top` is the pack's top folder so far. */
export function checkEntry(entry: { path: string; type: string; linkpath?: string }, top: string | null): { reason: string } | { top: string | null; skip: boolean } {
  const raw = entry.path;
  if (isAbsoluteLike(raw)) return { reason: `it contains an absolute path (${raw})` };
  const p = cleanPath(raw);
  if (p === '' || p === '.') return entry.type === 'Directory' ? { top, skip: true } : { reason: `an entry has no name` };
  const parts = p.split('/');
  if (parts.includes('..')) return { reason: `it contains a path that climbs out with ".." (${raw})` };
  if (!ALLOWED_TYPES.has(entry.type)) return { reason: `it contains a ${entry.type} entry (${raw}); packs hold only files, folders and links` };
  const first = parts[0];
  if (top !== null && first !== top) return { reason: `it has more than one top folder (${top}, ${first})` };
  if (parts.length === 1 && entry.type !== 'Directory') return { reason: `it has a file at the top level (${raw}); a pack is one folder` };
  if (entry.type === 'SymbolicLink' || entry.type === 'Link') {
    const link = entry.linkpath ?? '';
    if (link === '' || isAbsoluteLike(link)) return { reason: `it contains a link to an absolute path (${raw} -> ${link})` };
    // Symlinks resolve from their folder; hard links name an archive path.
    const target = entry.type === 'SymbolicLink' ? posix.normalize(posix.join(posix.dirname(p), link.replaceAll('\\', '/'))) : posix.normalize(cleanPath(link));
    if (target === '..' || target.startsWith('../') || target.split('/')[0] !== first) {
      return { reason: `it contains a link that points outside the pack (${raw} -> ${link})` };
    }
  }
  return { top: first, skip: false };
}

/**
 * Unpacks `archivePath` (bzip2-compressed tar) into `destDir`, which must exist and be empty.
 * Resolves with the name of the single top folder; rejects with PackArchiveError.
 */
export function extractPackArchive(args: {
  archivePath: string;
  destDir: string;
  /** Called with decompressed-entry counts so callers can show activity (optional). */
  onEntry?: (count: number) => void;
}): Promise<{ topFolder: string }> {
  return new Promise((resolve, reject) => {
    let top: string | null = null;
    let count = 0;
    let settled = false;
    const source = createReadStream(args.archivePath);
    const bz = unbzip2();
    const unpack = tarExtract({ cwd: args.destDir, strict: true, preserveOwner: false, filter });

    let unpackIdle = false;
    const idle = new Promise<void>((done) => {
      const mark = () => {
        unpackIdle = true;
        done();
      };
      unpack.once('finish', mark);
      unpack.once('close', mark);
    });

    function fail(error: Error): void {
      if (settled) return;
      settled = true;
      source.unpipe();
      source.destroy();
      bz.destroy();
      const refusal = error instanceof PackArchiveError ? error : new PackArchiveError(`it is corrupt or truncated (${error.message})`, { cause: error });
      // Let files already being written finish, so the caller can delete the folder cleanly.
      try {
        if (!unpackIdle) unpack.end();
      } catch {
        // Already ending.
      }
      const timeout = new Promise<void>((done) => setTimeout(done, 5000).unref());
      void Promise.race([idle, timeout]).then(() => reject(refusal));
    }

    function filter(_path: string, entry: ReadEntry | unknown): boolean {
      if (settled) return false;
      const e = entry as ReadEntry;
      const verdict = checkEntry({ path: e.path, type: e.type, linkpath: e.linkpath }, top);
      if ('reason' in verdict) {
        fail(new PackArchiveError(verdict.reason));
        return false;
      }
      top = verdict.top;
      if (!verdict.skip) args.onEntry?.(++count);
      return !verdict.skip;
    }

    source.on('error', (e) => fail(new PackArchiveError(`it cannot be read (${e.message})`, { cause: e })));
    bz.on('error', (e: Error) => fail(e));
    unpack.on('error', (e: Error) => fail(e));
    void idle.then(() => {
      if (settled) return;
      settled = true;
      if (top === null || count === 0) reject(new PackArchiveError('it is empty'));
      else resolve({ topFolder: top });
    });
    source.pipe(bz).pipe(unpack as unknown as NodeJS.WritableStream);
  });
}
