/** `narrate deliveries list|resend`: callback deliveries the dispatcher gave up on, and sending them again. */
import { Option, type Command } from 'commander';
import { createStore } from '../store/create-store.js';
import { resendDelivery, summarizeDelivery } from '../notify/dead-deliveries.usecases.js';
import { addConfigOptions, configFrom } from './config-options.js';

export function registerDeliveriesCommands(program: Command, env: Record<string, string | undefined>) {
  const deliveries = program.command('deliveries').description('Callback deliveries (the outbox): list dead ones, send them again.');

  const list = deliveries.command('list').description('List deliveries (default: dead ones).').addOption(new Option('--state <state>', 'which deliveries').choices(['pending', 'delivered', 'dead']).default('dead')).option('--job <jobId>', 'only this job');
  addConfigOptions(list, 'deliveries');
  list.action(async (options: { state: 'pending' | 'delivered' | 'dead'; job?: string }) => {
    const config = configFrom(list, env);
    const store = await createStore({ databaseUrl: config.databaseUrl ?? undefined, dataDir: config.dataDir, schema: config.databaseSchema, listen: false });
    try {
      const rows = await store.listDeliveries({ state: options.state, jobId: options.job, limit: 1000 });
      for (const row of rows.map(summarizeDelivery)) process.stdout.write(`${JSON.stringify(row)}\n`);
    } finally {
      await store.close();
    }
  });

  const resend = deliveries.command('resend').description('Put a delivery back in the outbox, due now.').argument('<deliveryId>');
  addConfigOptions(resend, 'deliveries');
  resend.action(async (id: string) => {
    const config = configFrom(resend, env);
    const store = await createStore({ databaseUrl: config.databaseUrl ?? undefined, dataDir: config.dataDir, schema: config.databaseSchema, listen: false });
    try {
      await resendDelivery(store, { id, now: new Date() });
      process.stdout.write(`delivery ${id} is due again\n`);
    } finally {
      await store.close();
    }
  });
}
