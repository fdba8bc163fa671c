/**
 * The `narrate` command. The only place that reads process.env and process.argv; every command
 * gets the environment passed in.
 */
import { Command } from 'commander';
import { ConfigError } from '../config/config.js';
import { registerServeCommands } from './serve.command.js';
import { registerSayCommand } from './say.command.js';
import { registerVoicesCommands } from './voices.command.js';
import { registerKeysCommands } from './keys.command.js';
import { registerDeliveriesCommands } from './deliveries.command.js';

export function buildProgram(env: Record<string, string | undefined>): Command {
  const program = new Command('narrate')
    .description('Narrate: self-hosted speech production, wire-compatible with Alibaba Cloud ICE SubmitAudioProduceJob.')
    .showHelpAfterError();
  registerServeCommands(program, env);
  registerSayCommand(program, env);
  registerVoicesCommands(program, env);
  registerKeysCommands(program, env);
  registerDeliveriesCommands(program, env);
  return program;
}

// `narrate voices list | head` closes the pipe early; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

buildProgram(process.env)
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`narrate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
