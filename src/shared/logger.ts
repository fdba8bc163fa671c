import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * JSON logs on stderr-free stdout. Known secret-bearing fields are redacted wherever they appear,
 * as a second line of defence: code never logs secrets on purpose.
 */
/** Query parameters whose values are credentials or URL capabilities (signed MediaUrls, v1 signatures, SetEventCallback's AuthKey sent in a GET query). */
const SECRET_QUERY_NAME = /signature|token|credential|secret|authkey|password/i;
/**
 * A secret inside a (percent-encoded) value: a signed URL `…%3FExpires%3D1%26Signature%3Dabc`, or a
 * callback URL carrying its own token (`CallbackURL=https%3A%2F%2Fhost%2Fcb%3Ftoken%3Dabc`).
 */
const NESTED_SECRET = /(?:signature|token|credential|secret|authkey|password)(?:=|%3d)/i;

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
      // A value may itself be a signed URL (GetMediaInfo's InputURL=<MediaUrl>): its signature is a secret too.
      const value = equals < 0 ? '' : pair.slice(equals + 1);
      return equals >= 0 && (SECRET_QUERY_NAME.test(decoded) || NESTED_SECRET.test(value)) ? `${name}=***` : pair;
    })
    .join('&');
  return `${url.slice(0, at)}?${query}`;
}

export function createLogger({ level, name = 'narrate', destination }: { level: string; name?: string; destination?: DestinationStream }): Logger {
  const options: LoggerOptions = {
    name,
    level,
    redact: {
      paths: ['secret', '*.secret', 'accessKeySecret', '*.accessKeySecret', 'authorization', '*.authorization', 'req.headers.authorization', 'databaseUrl', '*.databaseUrl', 'AuthKey', '*.AuthKey', 'authKey', '*.authKey', 'Signature', '*.Signature', 'err.AWSAccessKeyId', '*.err.AWSAccessKeyId'],
      // An unset secret stays null: "***" would say a database URL is configured when SQLite is in use.
      censor: (value: unknown) => (value === null || value === undefined ? value : '***'),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
