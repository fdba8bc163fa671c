import { IceError } from '../api/ice-client.js';

/** One line for an error: the ICE Code and Message, or the network text when the server was not reached. */
export function errorText(error: unknown, networkText: string): string {
  if (error instanceof IceError) return error.status === 0 ? networkText : `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
