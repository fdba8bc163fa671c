/**
 * Starts a real Narrate (api + worker) in this process on a loopback port, with temp directories
 * and a known access key, for end-to-end tests.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createNarrate, type Narrate } from '../../src/app/narrate.js';
import { overrideConfig, type Config } from '../../src/config/config.js';
import { createLogger, type Logger } from '../../src/shared/logger.js';

export const TEST_KEY = { id: 'testid', secret: 'testsecret' } as const;

export interface TestServer {
  url: string;
  port: number;
  narrate: Narrate;
  dataDir: string;
  stop(): Promise<void>;
}

export async function startTestServer(overrides: Partial<Config> = {}, roles = { api: true, worker: true }, { logger }: { logger?: Logger } = {}): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'narrate-e2e-'));
  const config = overrideConfig({
    dataDir,
    voicesDir: path.join(dataDir, 'voices'),
    port: 0,
    host: '127.0.0.1',
    accessKeys: `${TEST_KEY.id}:${TEST_KEY.secret}`,
    logLevel: 'warn',
    rateLimit: 0,
    ...overrides,
  });
  const narrate = await createNarrate({ config, roles, logger: logger ?? createLogger({ level: config.logLevel }) });
  const { url } = await narrate.start();
  const port = url ? Number(new URL(url).port) : 0;
  return {
    url: url ?? '',
    port,
    narrate,
    dataDir,
    async stop() {
      await narrate.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until the predicate returns a value, or fails after timeoutMs. */
export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, { timeoutMs = 30_000, intervalMs = 100, what = 'condition' } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
