/**
 * The `narrate` command. The only place that reads process.env and process.argv; every command
 * gets the environment passed in.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config/config.js';
import { isAppError } from '../shared/errors.js';
import { UsageError } from './usage-error.js';
import { registerServeCommands } from './serve.command.js';
import { registerSayCommand } from './say.command.js';
import { registerVoicesCommands } from './voices.command.js';
import { registerKeysCommands } from './keys.command.js';
import { registerDeliveriesCommands } from './deliveries.command.js';

export function buildProgram(env: Record<string, string | undefined>): Command {
  const program = new Command('narrate')
    .description('Narrate: self-hosted speech production, wire-compatible with Alibaba Cloud ICE SubmitAudioProduceJob.')
    .version(packageVersion(), '-V, --version')
    // The error stays on screen; the whole help after it would scroll it away.
    .showHelpAfterError('(add --help for usage)')
    // Usage errors come back to the catch below, which exits 2 like every other usage error.
    .exitOverride();
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

function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

/** What the option behind a system error is, when the error alone would not say. */
const HINTS: Record<string, string> = {
  EADDRINUSE: 'another program listens there: choose another --port',
  EADDRNOTAVAIL: 'no interface has that address: check --host',
  ENOTFOUND: 'check the host name in --host, --database-url or --s3-endpoint',
  ECONNREFUSED: 'nothing answers there; is the database or object store running? check --database-url and --s3-endpoint',
};

/**
 * One line for an error that ends a command: a user's mistake (a missing file, a port in use, an
 * unknown delivery) deserves its message, not a stack trace. NARRATE_LOG_LEVEL=debug adds the stack.
 */
export function describeCliError(error: unknown, { debug = false }: { debug?: boolean } = {}): string {
  if (!(error instanceof Error)) return String(error);
  if (debug && error.stack) return error.stack;
  if (isAppError(error)) return `${error.code}: ${error.message}`;
  // pg reports a refused connection to every address of a host as an AggregateError with no message.
  const inner = error instanceof AggregateError && error.errors.length > 0 && error.message === '' ? (error.errors[0] as Error) : error;
  const code = (inner as NodeJS.ErrnoException).code;
  const hint = code ? HINTS[code] : undefined;
  return hint ? `${inner.message} (${hint})` : inner.message;
}

buildProgram(process.env)
  .parseAsync(process.argv)
  .catch((error: unknown) => {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0; commander has printed the rest.
      process.exit(error.exitCode === 0 ? 0 : 2);
    }
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    if (error instanceof UsageError) {
      process.stderr.write(`narrate ${error.command}: ${error.message}\n`);
      process.exit(2);
    }
    const debug = ['debug', 'trace'].includes(process.env.NARRATE_LOG_LEVEL ?? '');
    process.stderr.write(`narrate: ${describeCliError(error, { debug })}\n`);
    process.exit(1);
  });
