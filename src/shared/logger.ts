import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs on stderr-free stdout. Known secret-bearing fields are redacted wherever they appear,
 * as a second line of defence: code never logs secrets on purpose.
 */
/** Query parameters whose values are credentials or URL capabilities (signed MediaUrls, v1 signatures). */
const SECRET_QUERY_NAME = /signature|token|credential|secret/i;

/**
 * A request URL fit for a log line: the values of signature-like query parameters become `***`
 * (a signed MediaUrl in a log would hand its object to whoever reads the log).
 */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // A malformed name is logged as it came.
      }
      return equals >= 0 && SECRET_QUERY_NAME.test(decoded) ? `${name}=***` : pair;
    })
    .join('&');
  return `${url.slice(0, at)}?${query}`;
}

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
