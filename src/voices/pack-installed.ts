/**
 * What is installed in the voices directory: one folder per pack, each with the narrate-pack.json
 * that `pullPack` writes. Folders starting with a dot (`.partial-*` work folders of a pull that was
 * killed) are never packs.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstalledPackManifest } from './voices.types.js';

/** File written into each pack folder at install time. */
export const PACK_MANIFEST_FILE = 'narrate-pack.json';

export interface InstalledPack {
  name: string;
  /** Absolute or voices-dir-relative folder of the pack, as passed in. */
  dir: string;
  /** The install record; null for a folder put there by hand (or with a broken record). */
  manifest: InstalledPackManifest | null;
}

/** Installed packs, sorted by name. A missing voices directory means none. */
export async function listInstalledPacks(voicesDir: string): Promise<InstalledPack[]> {
  let entries;
  try {
    entries = await readdir(voicesDir, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const packs: InstalledPack[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = join(voicesDir, entry.name);
    let manifest: InstalledPackManifest | null = null;
    try {
      const parsed = JSON.parse(await readFile(join(dir, PACK_MANIFEST_FILE), 'utf8')) as InstalledPackManifest;
      if (parsed && typeof parsed.name === 'string' && typeof parsed.sha256 === 'string') manifest = parsed;
    } catch {
      // No record: installed by hand. Still a pack the engine may load.
    }
    packs.push({ name: entry.name, dir, manifest });
  }
  return packs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
