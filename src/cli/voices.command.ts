/** `narrate voices list` and `narrate voices pull NAME`. */
import type { Command } from 'commander';
import { createVoices } from '../app/narrate.js';
import { loadPackCatalog, mirrorProblem } from '../voices/pack-catalog.models.js';
import { pullPack } from '../voices/pack-pull.js';
import { formatProgress } from '../voices/progress-format.js';
import { describeMapping } from '../voices/voice-groups.models.js';
import { listInstalledPacks } from '../voices/pack-installed.js';
import { addConfigOptions, configFrom } from './config-options.js';
import { UsageError } from './usage-error.js';

export function registerVoicesCommands(program: Command, env: Record<string, string | undefined>) {
  const voices = program.command('voices').description('List the voice names and what speaks them; install neural voice packs.');

  const list = voices.command('list').description('Every voice name a client may send, and the engine voice it maps to now.').option('--json', 'machine-readable output');
  addConfigOptions(list, 'voices');
  list.action(async (options: { json?: boolean }) => {
    const config = configFrom(list, env);
    const built = await createVoices({ voicesDir: config.voicesDir, engineThreads: config.engineThreads });
    try {
      const mappings = built.resolver().list();
      if (options.json) {
        process.stdout.write(`${JSON.stringify(mappings, null, 2)}\n`);
        return;
      }
      const rows = mappings.map((m) => [m.voice, m.displayName, m.voiceType, m.languages.join('+'), describeMapping(m)]);
      const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((row) => row[i]!.length), 4));
      for (const row of rows) process.stdout.write(`${row.map((cell, i) => (i < 4 ? cell.padEnd(widths[i]!) : cell)).join('  ')}\n`);
      const packs = await listInstalledPacks(config.voicesDir);
      process.stdout.write(`\n${packs.length} neural pack(s) installed in ${config.voicesDir}${packs.length ? `: ${packs.map((p) => p.name).join(', ')}` : ' (narrate voices pull --help)'}\n`);
      const catalog = loadPackCatalog();
      process.stdout.write(`Packs you can pull: ${catalog.packs.map((p) => p.name).join(', ')}\n`);
    } finally {
      await built.close();
    }
  });

  const pull = voices
    .command('pull')
    .description('Download a neural voice pack (sherpa-onnx format), check its sha256, and install it into the voices directory.')
    .argument('[name]', 'pack name from the catalog (narrate voices list shows them)')
    .option('--url <url>', 'download this .tar.bz2 instead of a catalog pack')
    .option('--sha256 <hex>', 'expected sha256 of the archive (overrides the catalog)')
    .option('--mirror <url>', 'base URL that replaces the catalog download host (for mirrors and air-gapped installs)')
    .option('--force', 'replace an installed pack of the same name')
    .option('--insecure-skip-checksum', 'install even when no checksum is known');
  addConfigOptions(pull, 'voices');
  pull.action(async (name: string | undefined, options: { url?: string; sha256?: string; mirror?: string; force?: boolean; insecureSkipChecksum?: boolean }) => {
    const config = configFrom(pull, env);
    if (!name && !options.url) throw new UsageError('voices pull', 'name a pack (narrate voices list) or give --url');
    const badMirror = options.mirror === undefined ? null : mirrorProblem(options.mirror);
    if (badMirror) throw new UsageError('voices pull', `--mirror ${JSON.stringify(options.mirror)} is not usable: ${badMirror}`);
    let lastLine = '';
    try {
      const result = await pullPack({
        name,
        url: options.url,
        sha256: options.sha256,
        voicesDir: config.voicesDir,
        catalog: loadPackCatalog({ mirror: options.mirror }),
        force: options.force,
        insecureSkipChecksum: options.insecureSkipChecksum,
        onProgress: (progress) => {
          const line = `${progress.phase === 'download' ? 'downloading' : 'unpacking'} ${progress.file} ${formatProgress(progress.bytes, progress.total)}`;
          if (line !== lastLine) {
            process.stderr.write(`\r${line}`);
            lastLine = line;
          }
        },
      });
      process.stderr.write(`\ninstalled ${result.name} into ${result.dir}\n`);
    } catch (error) {
      // End the progress line first, if one was drawn; a failure before any download stays one line.
      process.stderr.write(`${lastLine ? '\n' : ''}narrate voices pull: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  });
}
