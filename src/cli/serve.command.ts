/** `narrate serve` (api + worker), `narrate api`, `narrate worker`: long-running processes. */
import type { Command } from 'commander';
import { createNarrate, defaultPublicUrl, isWildcardHost, type NarrateRoles } from '../app/narrate.js';
import { redactConfig } from '../config/config.js';
import { createLogger } from '../shared/logger.js';
import { addConfigOptions, configFrom } from './config-options.js';

const ROLES: Record<'serve' | 'api' | 'worker', { roles: NarrateRoles; summary: string }> = {
  serve: { roles: { api: true, worker: true }, summary: 'Run the API and a worker in one process (SQLite and local buckets by default).' },
  api: { roles: { api: true, worker: false }, summary: 'Run the HTTP API only (scale-out: share a PostgreSQL database and S3 storage with workers).' },
  worker: { roles: { api: false, worker: true }, summary: 'Run a worker only: renders jobs and sends callbacks.' },
};

export function registerServeCommands(program: Command, env: Record<string, string | undefined>) {
  for (const name of ['serve', 'api', 'worker'] as const) {
    const command = program.command(name).description(ROLES[name].summary);
    addConfigOptions(command, name);
    command.action(async () => {
      const config = configFrom(command, env);
      const logger = createLogger({ level: config.logLevel });
      const narrate = await createNarrate({ config, roles: ROLES[name].roles, logger });
      const { url } = await narrate.start();
      const keys = await narrate.store.listAccessKeys();
      const configured = config.accessKeys ? config.accessKeys.split(',').length : 0;
      const mappings = narrate.voiceResolver().list();
      const neural = [...new Set(mappings.filter((m) => m.resolved.engineVoice.engine === 'sherpa').map((m) => m.resolved.engineVoice.model))];
      logger.info(
        {
          role: name,
          url,
          console: url ? `${url}/console/` : undefined,
          store: config.databaseUrl ? 'postgresql' : `sqlite (${config.dataDir}/narrate.db)`,
          storage: narrate.storage.kind,
          accessKeys: { configured, stored: keys.length, ids: keys.map((key) => key.id) },
          anonymous: config.allowAnonymous,
          voicesDir: config.voicesDir,
          voices: { names: mappings.length, neuralPacksInUse: neural, engines: neural.length ? ['espeak', 'sherpa'] : ['espeak'] },
          config: redactConfig(config),
        },
        `narrate ${name} started`,
      );
      if (isWildcardHost(config.host) && !config.publicUrl && narrate.storage.kind === 'local' && name !== 'worker') {
        logger.warn(`listening on every interface, but MediaUrls of local buckets point at ${defaultPublicUrl(config.host, Number(new URL(url!).port))}, which only this machine can reach: set --public-url to the address clients use.`);
      }
      if (!config.allowAnonymous && configured + keys.length === 0 && name !== 'worker') {
        logger.warn('no access keys: every request will be refused. Create one with `narrate keys create`, or start with --allow-anonymous for local experiments.');
      }
      let stopping = false;
      const shutdown = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        logger.info({ signal }, 'shutting down: no new work, finishing or releasing jobs in hand');
        const hardStop = setTimeout(() => process.exit(1), 30_000);
        hardStop.unref();
        await narrate.stop();
        logger.info('stopped');
        process.exit(0);
      };
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
      process.on('SIGINT', () => void shutdown('SIGINT'));
    });
  }
}
