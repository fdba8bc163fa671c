/** `narrate keys create` / `narrate keys list`: access keys kept in the job store. */
import type { Command } from 'commander';
import { createStore } from '../store/create-store.js';
import { newAccessKey, parseAllowedActions } from '../app/keys.js';
import { SPEECH_PERMISSION } from '../api/openai/openai.routes.js';
import { addConfigOptions, configFrom } from './config-options.js';
import { UsageError } from './usage-error.js';

export function registerKeysCommands(program: Command, env: Record<string, string | undefined>) {
  const keys = program.command('keys').description('Access keys for signed requests (kept in the job store: SQLite in the data directory, or PostgreSQL).');

  const create = keys
    .command('create')
    .description('Create an access key pair and print it once (the secret is not shown again).')
    .option('--actions <list>', `comma-separated RAM-style actions it may call, e.g. ice:SubmitAudioProduceJob,ice:GetSmartHandleJob; ${SPEECH_PERMISSION} for /v1/audio/speech; * for all`, '*');
  addConfigOptions(create, 'keys');
  create.action(async (options: { actions: string }) => {
    const config = configFrom(create, env);
    let allowedActions: string[];
    try {
      allowedActions = parseAllowedActions(options.actions);
    } catch (error) {
      throw new UsageError('keys create', (error as Error).message);
    }
    const store = await createStore({ databaseUrl: config.databaseUrl ?? undefined, dataDir: config.dataDir, schema: config.databaseSchema, listen: false });
    try {
      const key = newAccessKey({ allowedActions, now: new Date() });
      await store.putAccessKey(key);
      process.stdout.write(`AccessKeyId:     ${key.id}\nAccessKeySecret: ${key.secret}\nAllowed actions: ${key.allowedActions.join(', ')}\n`);
      process.stderr.write('Keep the secret safe: it is not shown again.\n');
    } finally {
      await store.close();
    }
  });

  const list = keys.command('list').description('List access key ids (never secrets).');
  addConfigOptions(list, 'keys');
  list.action(async () => {
    const config = configFrom(list, env);
    const store = await createStore({ databaseUrl: config.databaseUrl ?? undefined, dataDir: config.dataDir, schema: config.databaseSchema, listen: false });
    try {
      for (const key of await store.listAccessKeys()) {
        process.stdout.write(`${key.id}  ${key.active ? 'active' : 'inactive'}  ${key.allowedActions.join(',')}  ${key.createdAt.toISOString()}\n`);
      }
    } finally {
      await store.close();
    }
  });
}
