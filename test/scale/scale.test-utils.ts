/**
 * Building blocks for the scale-out tests: a PostgreSQL schema per test file, s3rver on loopback,
 * a callback receiver, and a cluster of `narrate api` / `narrate worker` child processes that
 * share them (each process with its own data directory, as if on its own machine).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startS3rver, S3RVER_CREDENTIALS } from '../../src/storage/s3rver.test-utils.js';
import { popCoreClient } from '../support/ice-clients.js';
import { TEST_KEY } from '../support/narrate-server.js';
import { freePort, startNarrateProcess, type NarrateProcess } from '../support/narrate-process.js';

export type Body = Record<string, any>;

/** The PostgreSQL URL the tests use, or null (the tests are then skipped with a printed reason). */
export const TEST_DATABASE_URL = process.env.NARRATE_TEST_DATABASE_URL || null;

export function skipReason(what: string): string | null {
  if (TEST_DATABASE_URL) return null;
  const reason = `Skipping ${what}: set NARRATE_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run it.`;
  console.warn(reason);
  return reason;
}

/** A fresh, unique schema name; the store creates it on first start. */
export function newSchemaName(prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Runs SQL with the search_path set to the schema (audits read the tables the processes wrote). */
export async function withSchema<T>({ url, schema }: { url: string; schema: string }, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function dropSchema({ url, schema }: { url: string; schema: string }): Promise<void> {
  await withSchema({ url, schema: 'public' }, (client) => client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

export interface CallbackReceiver {
  url: string;
  /** Every POST received, in order (retries included). */
  received: Array<{ deliveryId: string; body: Body }>;
  /** The first delivery per x-narrate-delivery-id. */
  unique(): Map<string, Body>;
  close(): Promise<void>;
}

/** A loopback HTTP server that answers 200 to every callback and keeps what it got. */
export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const received: CallbackReceiver['received'] = [];
  const server = http.createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      try {
        received.push({ deliveryId: String(request.headers['x-narrate-delivery-id'] ?? ''), body: JSON.parse(text) as Body });
        response.writeHead(200).end('ok');
      } catch {
        response.writeHead(400).end('bad json');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}/callback`,
    received,
    unique() {
      const byId = new Map<string, Body>();
      for (const item of received) if (!byId.has(item.deliveryId)) byId.set(item.deliveryId, item.body);
      return byId;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface Cluster {
  port: number;
  schema: string;
  s3Endpoint: string;
  api: NarrateProcess;
  workers: NarrateProcess[];
  /** POST an ICE action through Alibaba's pop-core client. */
  call(action: string, params: Record<string, string>): Promise<Body>;
  /** Starts one more worker (returned and appended to `workers`). */
  startWorker(): Promise<NarrateProcess>;
  /** The workerId prefix (`host:pid:`) a worker process writes into lease_owner and job_completions. */
  workerIdPrefix(worker: NarrateProcess): string;
  /** SQL against the cluster's schema. */
  sql<T>(fn: (client: pg.Client) => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

/**
 * One `narrate api` and `workers` × `narrate worker` on PostgreSQL (own schema) and s3rver (the given
 * buckets), configured through environment variables as the systemd units do.
 */
export async function startCluster({
  url,
  schemaPrefix,
  buckets,
  workers,
  workerEnv = {},
}: {
  url: string;
  schemaPrefix: string;
  buckets: string[];
  workers: number;
  workerEnv?: Record<string, string>;
}): Promise<Cluster> {
  const schema = newSchemaName(schemaPrefix);
  const s3 = await startS3rver({ buckets });
  const port = await freePort();
  const dirs: string[] = [];
  const processes: NarrateProcess[] = [];
  const newDataDir = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'narrate-scale-'));
    dirs.push(dir);
    return dir;
  };
  const common = (dataDir: string): Record<string, string> => ({
    NARRATE_DATABASE_URL: url,
    NARRATE_DATABASE_SCHEMA: schema,
    NARRATE_DATA_DIR: dataDir,
    NARRATE_VOICES_DIR: path.join(dataDir, 'voices'),
    NARRATE_S3_ENDPOINT: s3.endpoint,
    NARRATE_S3_REGION: 'us-east-1',
    NARRATE_S3_FORCE_PATH_STYLE: 'true',
    NARRATE_S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    NARRATE_S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  });

  try {
    // The api first: it runs the migrations, so the workers start against a ready schema.
    const api = await startNarrateProcess({
      command: 'api',
      args: [],
      env: { ...common(await newDataDir()), NARRATE_PORT: String(port), NARRATE_ACCESS_KEYS: `${TEST_KEY.id}:${TEST_KEY.secret}`, NARRATE_RATE_LIMIT: '0' },
    });
    processes.push(api);
    const workerList: NarrateProcess[] = [];
    const startWorker = async () => {
      const worker = await startNarrateProcess({
        command: 'worker',
        args: [],
        env: { ...common(await newDataDir()), NARRATE_CALLBACK_ALLOW_PRIVATE: 'true', NARRATE_LEASE_SECONDS: '5', NARRATE_CONCURRENCY: '2', ...workerEnv },
      });
      processes.push(worker);
      workerList.push(worker);
      return worker;
    };
    await Promise.all(Array.from({ length: workers }, () => startWorker()));
    const client = popCoreClient({ port, ...TEST_KEY });
    return {
      port,
      schema,
      s3Endpoint: s3.endpoint,
      api,
      workers: workerList,
      call: (action, params) => client.request(action, params, { method: 'POST' }) as Promise<Body>,
      startWorker,
      workerIdPrefix: (worker) => `${os.hostname()}:${worker.child.pid}:`,
      sql: (fn) => withSchema({ url, schema }, fn),
      async stop() {
        for (const p of processes) await p.kill('SIGKILL');
        await s3.close();
        await dropSchema({ url, schema });
        for (const dir of dirs) await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const p of processes) await p.kill('SIGKILL');
    await s3.close();
    await dropSchema({ url, schema }).catch(() => undefined);
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
