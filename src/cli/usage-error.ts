/**
 * A mistake in how a command was called (a bad flag value, a missing argument). narrate.ts prints
 * it as `narrate <command>: <message>` and exits 2, like commander's own usage errors.
 */
export class UsageError extends Error {
  constructor(
    readonly command: string,
    message: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
