/**
 * The one place configuration is defined, read and validated. Every option has a command-line
 * flag and an environment variable; the flag wins, then the variable, then the default.
 * `narrate --help` and the README's option table are both generated from OPTIONS.
 */
import os from 'node:os';
import path from 'node:path';

type Kind = 'string' | 'int' | 'number' | 'bool' | 'list';
/** The commands that take configuration options. */
export type Scope = 'serve' | 'api' | 'worker' | 'say' | 'voices' | 'keys' | 'deliveries';

export interface OptionDef {
  /** camelCase key in Config. */
  key: keyof Config;
  flag: string;
  env: string;
  kind: Kind;
  doc: string;
  /** Which commands take it (for --help). */
  scope: Scope[];
  default?: (partial: Partial<Config>) => unknown;
  min?: number;
  max?: number;
  choices?: readonly string[];
  /** Never printed (logs, --help defaults). */
  secret?: boolean;
  /** How the docs show a default that depends on the machine. */
  docDefault?: string;
}

export interface Config {
  port: number;
  metricsPort: number | null;
  metricsToken: string | null;
  host: string;
  dataDir: string;
  voicesDir: string;
  databaseUrl: string | null;
  databaseSchema: string;
  accessKeys: string | null;
  allowAnonymous: boolean;
  publicUrl: string | null;
  workerConcurrency: number;
  leaseSeconds: number;
  rateLimit: number;
  rateBurst: number;
  eventStreamsPerKey: number;
  eventStreamSeconds: number;
  s3Endpoint: string | null;
  s3Region: string;
  s3ForcePathStyle: boolean;
  s3AccessKeyId: string | null;
  s3SecretAccessKey: string | null;
  presignSeconds: number;
  callbackAllowPrivate: boolean;
  callbackAllowlist: string[];
  callbackMode: 'backoff' | 'ice';
  callbackEventType: string;
  callbackTimeoutMs: number;
  callbackMaxAgeHours: number;
  engineThreads: number;
  espeakThreads: number;
  logLevel: string;
}

const SERVERS = ['serve', 'api', 'worker'] as const;
/** Commands that open the job store. */
const STORE = [...SERVERS, 'keys', 'deliveries'] as const;
/** Commands that load voices. */
const VOICES = [...SERVERS, 'say', 'voices'] as const;
/** Commands that log through pino (the others print to the terminal). */
const LOGGING = [...SERVERS] as const;
const HTTP = ['serve', 'api'] as const;
const WORK = ['serve', 'worker'] as const;

export const OPTIONS: readonly OptionDef[] = [
  // A worker reads it too: without --public-url its callbacks' MediaUrls of local buckets name http://HOST:PORT,
  // and with the env file shared with the api they must name the api's port, not 8080.
  { key: 'port', flag: '--port', env: 'NARRATE_PORT', kind: 'int', min: 0, max: 65535, scope: [...SERVERS], doc: 'HTTP port (a worker only names it in the MediaUrls of its callbacks, when --public-url is unset).', default: () => 8080 },
  { key: 'metricsToken', flag: '--metrics-token', env: 'NARRATE_METRICS_TOKEN', kind: 'string', scope: [...SERVERS], secret: true, doc: 'If set, /metrics answers only scrapes that send it as "Authorization: Bearer <token>" (default: open, as Prometheus expects).' },
  { key: 'metricsPort', flag: '--metrics-port', env: 'NARRATE_METRICS_PORT', kind: 'int', min: 0, max: 65535, scope: ['worker'], doc: 'narrate worker only: serve /metrics, /healthz and /readyz on this port (api processes serve them on --port).' },
  { key: 'host', flag: '--host', env: 'NARRATE_HOST', kind: 'string', scope: [...SERVERS], doc: 'Address to listen on (0.0.0.0 for all interfaces); a worker listens there for --metrics-port.', default: () => '127.0.0.1' },
  { key: 'dataDir', flag: '--data-dir', env: 'NARRATE_DATA_DIR', kind: 'string', scope: [...STORE], doc: 'Where the SQLite database (jobs, access keys, callbacks) and local buckets live.', default: () => './data' },
  { key: 'voicesDir', flag: '--voices-dir', env: 'NARRATE_VOICES_DIR', kind: 'string', scope: [...VOICES], doc: 'Where neural voice packs are installed.', default: () => path.join(os.homedir(), '.cache', 'narrate', 'voices'), docDefault: '~/.cache/narrate/voices' },
  { key: 'databaseUrl', flag: '--database-url', env: 'NARRATE_DATABASE_URL', kind: 'string', scope: [...STORE], secret: true, doc: 'A postgres:// URL switches the job store to PostgreSQL (default: SQLite in the data directory).' },
  { key: 'databaseSchema', flag: '--database-schema', env: 'NARRATE_DATABASE_SCHEMA', kind: 'string', scope: [...STORE], doc: 'PostgreSQL schema that holds the tables (created when missing); lets several deployments or test runs share one database. Ignored for SQLite.', default: () => 'narrate' },
  { key: 'accessKeys', flag: '--access-keys', env: 'NARRATE_ACCESS_KEYS', kind: 'string', scope: [...HTTP], secret: true, doc: 'Access key pairs "id1:secret1,id2:secret2" (in addition to those made with narrate keys create).' },
  { key: 'allowAnonymous', flag: '--allow-anonymous', env: 'NARRATE_ALLOW_ANONYMOUS', kind: 'bool', scope: [...HTTP], doc: 'Accept unsigned requests (owner "anonymous"). Off by default.', default: () => false },
  { key: 'publicUrl', flag: '--public-url', env: 'NARRATE_PUBLIC_URL', kind: 'string', scope: [...SERVERS], doc: 'Base URL clients reach this server at, for MediaUrl of local buckets (default http://HOST:PORT); it may end in a path that a proxy strips (https://example.com/narrate).' },
  { key: 'workerConcurrency', flag: '--concurrency', env: 'NARRATE_CONCURRENCY', kind: 'int', min: 1, max: 64, scope: [...WORK], doc: 'Jobs one worker process renders at once.', default: () => 1 },
  { key: 'leaseSeconds', flag: '--lease-seconds', env: 'NARRATE_LEASE_SECONDS', kind: 'int', min: 5, max: 3600, scope: [...WORK], doc: 'How long a claimed job stays reserved without renewal before another worker may take it.', default: () => 30 },
  { key: 'rateLimit', flag: '--rate-limit', env: 'NARRATE_RATE_LIMIT', kind: 'number', min: 0, scope: [...HTTP], doc: 'Requests per second per access key (0 = unlimited; per api process).', default: () => 50 },
  { key: 'rateBurst', flag: '--rate-burst', env: 'NARRATE_RATE_BURST', kind: 'int', min: 1, scope: [...HTTP], doc: 'Burst size of the per-key rate limit.', default: () => 100 },
  { key: 'eventStreamsPerKey', flag: '--event-streams-per-key', env: 'NARRATE_EVENT_STREAMS_PER_KEY', kind: 'int', min: 1, scope: [...HTTP], doc: 'WatchSmartJob event streams one access key may hold open at once (each polls the store 4 times a second; per api process).', default: () => 20 },
  { key: 'eventStreamSeconds', flag: '--event-stream-seconds', env: 'NARRATE_EVENT_STREAM_SECONDS', kind: 'int', min: 1, scope: [...HTTP], doc: 'Longest life of one event stream, in seconds: it then ends with an event named timeout (a client signs a new request to go on).', default: () => 3600 },
  { key: 's3Endpoint', flag: '--s3-endpoint', env: 'NARRATE_S3_ENDPOINT', kind: 'string', scope: [...SERVERS], doc: 'Use S3-compatible object storage at this endpoint (e.g. http://127.0.0.1:9000). Unset: local buckets under the data directory.' },
  { key: 's3Region', flag: '--s3-region', env: 'NARRATE_S3_REGION', kind: 'string', scope: [...SERVERS], doc: 'S3 region.', default: () => 'us-east-1' },
  { key: 's3ForcePathStyle', flag: '--s3-force-path-style', env: 'NARRATE_S3_FORCE_PATH_STYLE', kind: 'bool', scope: [...SERVERS], doc: 'Path-style bucket addressing (MinIO, Ceph RGW).', default: () => false },
  { key: 's3AccessKeyId', flag: '--s3-access-key-id', env: 'NARRATE_S3_ACCESS_KEY_ID', kind: 'string', scope: [...SERVERS], secret: true, doc: 'S3 credentials (else the standard AWS chain: AWS_ACCESS_KEY_ID, profiles, instance roles).' },
  { key: 's3SecretAccessKey', flag: '--s3-secret-access-key', env: 'NARRATE_S3_SECRET_ACCESS_KEY', kind: 'string', scope: [...SERVERS], secret: true, doc: 'S3 secret key.' },
  { key: 'presignSeconds', flag: '--presign-seconds', env: 'NARRATE_PRESIGN_SECONDS', kind: 'int', min: 1, max: 604800, scope: [...SERVERS], doc: 'Lifetime of the signed URLs in MediaUrl / GetMediaInfo (presigned S3 URLs, or Narrate\'s own signed URLs of local buckets).', default: () => 3600 },
  { key: 'callbackAllowPrivate', flag: '--callback-allow-private', env: 'NARRATE_CALLBACK_ALLOW_PRIVATE', kind: 'bool', scope: [...WORK], doc: 'Allow callbacks to loopback, private and link-local addresses.', default: () => false },
  { key: 'callbackAllowlist', flag: '--callback-allowlist', env: 'NARRATE_CALLBACK_ALLOWLIST', kind: 'list', scope: [...WORK], doc: 'Comma-separated hosts or CIDRs that callbacks may reach even if private.', default: () => [] },
  { key: 'callbackMode', flag: '--callback-mode', env: 'NARRATE_CALLBACK_MODE', kind: 'string', choices: ['backoff', 'ice'], scope: [...WORK], doc: 'Retry policy: "backoff" (exponential, up to --callback-max-age-hours) or "ice" (3 attempts 1 s apart, as Alibaba).', default: () => 'backoff' },
  { key: 'callbackEventType', flag: '--callback-event-type', env: 'NARRATE_CALLBACK_EVENT_TYPE', kind: 'string', scope: [...WORK], doc: 'EventType of the job completion callback.', default: () => 'AudioProduceComplete' },
  { key: 'callbackTimeoutMs', flag: '--callback-timeout-ms', env: 'NARRATE_CALLBACK_TIMEOUT_MS', kind: 'int', min: 100, max: 60000, scope: [...WORK], doc: 'A callback succeeds on a 2xx within this time.', default: () => 3000 },
  { key: 'callbackMaxAgeHours', flag: '--callback-max-age-hours', env: 'NARRATE_CALLBACK_MAX_AGE_HOURS', kind: 'number', min: 0, scope: [...WORK], doc: 'Backoff mode gives up (delivery dead) after this long.', default: () => 24 },
  { key: 'engineThreads', flag: '--engine-threads', env: 'NARRATE_ENGINE_THREADS', kind: 'int', min: 1, max: 64, scope: [...SERVERS, 'say'], doc: 'Threads per neural model (sherpa-onnx numThreads).', default: () => 1 },
  { key: 'espeakThreads', flag: '--espeak-threads', env: 'NARRATE_ESPEAK_THREADS', kind: 'int', min: 1, max: 64, scope: [...SERVERS, 'say'], doc: 'eSpeak NG instances, each in its own thread, so sentences of one job or several are synthesised in parallel (default: one per core beyond the first, at most 4; the main thread encodes).', default: () => Math.min(4, Math.max(1, os.availableParallelism() - 1)), docDefault: 'cores − 1, 1…4' },
  { key: 'logLevel', flag: '--log-level', env: 'NARRATE_LOG_LEVEL', kind: 'string', choices: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], scope: [...LOGGING], doc: 'Log level.', default: () => 'info' },
];

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

function parseValue(def: OptionDef, raw: unknown, problems: string[]): unknown {
  const where = `${def.flag} / ${def.env}`;
  if (def.kind === 'bool') {
    if (typeof raw === 'boolean') return raw;
    const text = String(raw).trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(text)) return true;
    if (['0', 'false', 'no', 'off'].includes(text)) return false;
    problems.push(`${where}: expected true or false, got "${String(raw)}"`);
    return undefined;
  }
  if (def.kind === 'list') {
    if (Array.isArray(raw)) return raw.map(String);
    return String(raw).split(',').map((item) => item.trim()).filter(Boolean);
  }
  if (def.kind === 'int' || def.kind === 'number') {
    // Plain decimal only: Number() would also take " " (0), "0x20" (32) and "1e3".
    const text = String(raw).trim();
    const value = (def.kind === 'int' ? /^[+-]?\d+$/ : /^[+-]?(\d+\.?\d*|\.\d+)$/).test(text) ? Number(text) : NaN;
    if (!Number.isFinite(value)) {
      problems.push(`${where}: expected ${def.kind === 'int' ? 'a whole number' : 'a number'}, got "${String(raw)}"`);
      return undefined;
    }
    if ((def.min !== undefined && value < def.min) || (def.max !== undefined && value > def.max)) {
      problems.push(`${where}: ${value} is outside ${def.min ?? '-∞'}…${def.max ?? '∞'}`);
      return undefined;
    }
    return value;
  }
  const text = String(raw);
  if (def.choices && !def.choices.includes(text)) {
    problems.push(`${where}: "${text}" is not one of ${def.choices.join(', ')}`);
    return undefined;
  }
  return text;
}

/** Why a --public-url cannot be the base of MediaUrls, or null when it can. */
function publicUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not an absolute URL (like https://narrate.example.com or http://10.0.0.5:8080)`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `"${value}" must be an http or https URL`;
  if (url.search !== '' || url.hash !== '') return `"${value}" must not have a query or a fragment`;
  return null;
}

/**
 * Builds the configuration. `flags` holds values given on the command line (keyed by Config key);
 * `env` is the environment (injected so tests never touch process.env). With `scope`, only that
 * command's options are read; the rest keep their defaults, so a bad variable meant for the
 * worker cannot stop `narrate keys list`.
 */
export function parseConfig({
  env = {},
  flags = {},
  scope,
}: { env?: Record<string, string | undefined>; flags?: Partial<Record<keyof Config, unknown>>; scope?: Scope } = {}): Readonly<Config> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const def of OPTIONS) {
    if (scope && !def.scope.includes(scope)) continue;
    const fromFlag = flags[def.key] !== undefined;
    const raw = fromFlag ? flags[def.key] : env[def.env];
    const empty = typeof raw === 'string' && raw.trim() === '';
    // An empty variable is no value (`NARRATE_ALLOW_ANONYMOUS=` in an env file must not switch anything
    // on); an empty flag (`--port "$PORT"` with PORT unset) is a mistake to report.
    if (fromFlag && empty) problems.push(`${def.flag}: expected a value, got ""`);
    out[def.key] = raw === undefined || empty ? undefined : parseValue(def, raw, problems);
  }
  for (const def of OPTIONS) {
    if (out[def.key] === undefined) out[def.key] = def.default ? def.default(out as Partial<Config>) : null;
  }
  const config = out as unknown as Config;
  if (config.databaseUrl && !/^postgres(ql)?:\/\//.test(config.databaseUrl)) {
    problems.push('--database-url / NARRATE_DATABASE_URL: only postgres:// URLs are supported (leave it unset for SQLite)');
  }
  // Checked here, not when the first job completes: a bad base URL there fails every MediaUrl, so jobs never finish.
  const publicUrlIssue = config.publicUrl ? publicUrlProblem(config.publicUrl) : null;
  if (publicUrlIssue) problems.push(`--public-url / NARRATE_PUBLIC_URL: ${publicUrlIssue}`);
  if (config.databaseSchema && !/^[a-z_][a-z0-9_]{0,62}$/.test(config.databaseSchema)) {
    problems.push('--database-schema / NARRATE_DATABASE_SCHEMA: lower-case letters, digits and _, starting with a letter or _ (at most 63)');
  }
  if (config.accessKeys) {
    for (const pair of config.accessKeys.split(',')) {
      if (!/^[^:\s]+:[^:\s]+$/.test(pair.trim())) problems.push('--access-keys / NARRATE_ACCESS_KEYS: expected "id:secret,id2:secret2"');
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  config.dataDir = path.resolve(config.dataDir);
  config.voicesDir = path.resolve(config.voicesDir);
  return Object.freeze(config);
}

/** Configuration with the secrets masked, for logs. */
export function redactConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const def of OPTIONS) if (def.secret && out[def.key]) out[def.key] = '***';
  return out;
}

/** Test helper: a full config with some fields overridden, no environment involved. */
export function overrideConfig(partial: Partial<Config>): Readonly<Config> {
  return Object.freeze({ ...parseConfig({ env: {} }), ...partial });
}

/** Markdown table of every option, for the README. */
export function optionsMarkdown(): string {
  const rows = OPTIONS.map((def) => {
    const fallback = def.default ? def.default({}) : '';
    const shown = def.docDefault ?? (Array.isArray(fallback) ? fallback.join(',') : String(fallback ?? ''));
    return `| \`${def.flag}\` | \`${def.env}\` | ${shown === '' ? '' : `\`${shown}\``} | ${def.scope.join(', ')} | ${def.doc} |`;
  });
  return ['| flag | environment | default | commands | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}
