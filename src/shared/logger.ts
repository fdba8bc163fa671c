import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs on stderr-free stdout. Known secret-bearing fields are redacted wherever they appear,
 * as a second line of defence: code never logs secrets on purpose.
 */
export function createLogger({ level, name = 'narrate' }: { level: string; name?: string }): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['secret', '*.secret', 'accessKeySecret', '*.accessKeySecret', 'authorization', '*.authorization', 'req.headers.authorization', 'databaseUrl', '*.databaseUrl', 'AuthKey', '*.AuthKey', 'Signature', '*.Signature'],
      censor: '***',
    },
  });
}
