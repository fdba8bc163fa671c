/** Local storage whose object URLs carry an expiry and signature (see api/buckets/bucket-url.ts). */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { ObjectStorage } from '../storage/storage.types.js';
import { signBucketPath } from '../api/buckets/bucket-url.js';

/** The signing secret lives in the data directory, so every process on the machine agrees on it. */
export async function loadOrCreateUrlSecret(dataDir: string): Promise<string> {
  const file = path.join(dataDir, 'url-signing.key');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    await mkdir(dataDir, { recursive: true });
    const secret = randomBytes(32).toString('base64url');
    // 'wx' so two processes starting at once do not overwrite each other's secret.
    await writeFile(file, secret, { mode: 0o600, flag: 'wx' }).catch(() => {});
    return (await readFile(file, 'utf8')).trim();
  }
}

export function withSignedUrls(storage: ObjectStorage, { secret, ttlSeconds, nowSeconds }: { secret: string; ttlSeconds: number; nowSeconds: () => number }): ObjectStorage {
  // The storages are closures (no `this`), so their methods can be carried over as they are.
  return {
    ...storage,
    async objectUrl(args) {
      const unsigned = new URL(await storage.objectUrl(args));
      const expiresAt = nowSeconds() + (args.ttlSeconds ?? ttlSeconds);
      // A public URL with a path (https://example.com/narrate behind a proxy that strips /narrate):
      // the server sees /buckets/…, so that is what is signed; the prefix stays in front.
      const prefix = new URL(args.publicBaseUrl).pathname.replace(/\/+$/, '');
      const served = prefix !== '' && unsigned.pathname.startsWith(`${prefix}/`) ? unsigned.pathname.slice(prefix.length) : unsigned.pathname;
      return `${unsigned.origin}${prefix}${signBucketPath({ path: served, secret, expiresAt })}`;
    },
  };
}
