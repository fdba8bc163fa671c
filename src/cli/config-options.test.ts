import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addConfigOptions, configFrom } from './config-options.js';

function serveCommand() {
  const command = new Command('serve').exitOverride();
  addConfigOptions(command, 'serve');
  return command;
}

describe('addConfigOptions', () => {
  it('shows each default in --help, never a secret', () => {
    const help = serveCommand().helpInformation().replace(/\s+/g, ' ');
    expect(help).toContain('[env NARRATE_PORT, default 8080]');
    expect(help).toContain('[env NARRATE_CALLBACK_MODE, default backoff]');
    expect(help).toContain('[env NARRATE_ALLOW_ANONYMOUS, default false]');
    expect(help).toContain('[env NARRATE_DATABASE_URL]');
  });

  it('keeps the default out of the parsed flags, so the environment still wins over it', async () => {
    const command = serveCommand();
    command.action(() => {});
    await command.parseAsync([], { from: 'user' });
    expect(configFrom(command, { NARRATE_PORT: '9000' }).port).toBe(9000);
  });
});
