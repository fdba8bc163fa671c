/**
 * Debian's Chromium for the console's browser tests (driven by playwright-core, no browser
 * download), and a build of the current console sources, so a stale console/dist cannot hide a change.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium, type Browser } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONSOLE = path.join(ROOT, 'console');
const CHROMIUM = '/usr/bin/chromium';
const LOCK = path.join(ROOT, 'test-artifacts', 'console-build.lock');
const MARKER = path.join(ROOT, 'test-artifacts', 'console-build.sha256');

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(entries.map((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)])));
  return nested.flat().sort();
}

async function sourcesHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [...(await filesUnder(path.join(CONSOLE, 'src'))), path.join(CONSOLE, 'index.html'), path.join(CONSOLE, 'vite.config.ts')]) {
    hash.update(file).update(await readFile(file));
  }
  return hash.digest('hex');
}

/**
 * Builds console/dist from the current sources. Test files run in parallel processes and each
 * serves console/dist: a lock keeps two builds from emptying it under each other, and a hash of the
 * sources skips a build another file has just made.
 */
export async function buildConsole(): Promise<void> {
  await mkdir(path.dirname(LOCK), { recursive: true });
  for (const deadline = Date.now() + 120_000; ; ) {
    try {
      await mkdir(LOCK);
      break;
    } catch {
      // A lock left by a killed run is older than any build takes.
      const age = await stat(LOCK).then((info) => Date.now() - info.mtimeMs, () => 0);
      if (age > 120_000) await rm(LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    const hash = await sourcesHash();
    const built = await readFile(MARKER, 'utf8').catch(() => '');
    if (built === hash && existsSync(path.join(CONSOLE, 'dist', 'index.html'))) return;
    await build({ configFile: path.join(CONSOLE, 'vite.config.ts'), logLevel: 'error' });
    await writeFile(MARKER, hash);
  } finally {
    await rm(LOCK, { recursive: true, force: true });
  }
}

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`bash scripts/setup-test-system.sh\` (installs Debian's chromium for these browser tests).`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required', '--mute-audio'],
  });
}
