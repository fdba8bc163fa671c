/**
 * Adds the configuration options (config/config.ts OPTIONS) that a command takes to a commander
 * command, and turns what was parsed back into a Config. Keeps flags, variables and --help in step.
 */
import { Option, type Command } from 'commander';
import { OPTIONS, parseConfig, type Config, type OptionDef, type Scope } from '../config/config.js';

/** The scope each command was given, so configFrom reads exactly the options it shows. */
const scopes = new WeakMap<Command, Scope>();

export function addConfigOptions(command: Command, scope: Scope): Command {
  scopes.set(command, scope);
  for (const def of OPTIONS) {
    if (!def.scope.includes(scope)) continue;
    const placeholder = def.kind === 'bool' ? '' : ' <value>';
    const option = new Option(`${def.flag}${placeholder}`, `${def.doc} [env ${def.env}${helpDefault(def)}]`);
    if (def.choices) option.choices(def.choices as string[]);
    command.addOption(option);
  }
  return command;
}

/**
 * The default as --help shows it: in the text, not as commander's default value, which would
 * count as a flag given and win over the environment. This machine's value (the README shows docDefault).
 */
function helpDefault(def: OptionDef): string {
  const value = def.secret || !def.default ? undefined : def.default({});
  const shown = Array.isArray(value) ? value.join(',') : value === undefined || value === null ? '' : String(value);
  return shown === '' ? '' : `, default ${shown}`;
}

/** Config from the parsed flags of `command` plus the environment. */
export function configFrom(command: Command, env: Record<string, string | undefined>): Readonly<Config> {
  const opts = command.opts() as Record<string, unknown>;
  const flags: Partial<Record<keyof Config, unknown>> = {};
  for (const def of OPTIONS) {
    // commander names the value after the flag (`--concurrency` → `concurrency`), which may differ from the key.
    const attribute = def.flag.replace(/^--/, '').replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    if (opts[attribute] !== undefined) flags[def.key] = opts[attribute];
  }
  return parseConfig({ env, flags, scope: scopes.get(command) });
}
