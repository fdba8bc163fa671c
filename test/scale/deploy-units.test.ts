/**
 * The systemd examples in deploy/: they parse, name a real command and real options, list every
 * environment variable the configuration knows (and no other), pass `systemd-analyze verify` where
 * systemd is installed, and, started the way systemd would start them (ExecStart + EnvironmentFile),
 * run an api and a worker that finish a job together.
 */
import { execFile } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { OPTIONS, parseConfig } from '../../src/config/config.js';
import { startS3rver, S3RVER_CREDENTIALS } from '../../src/storage/s3rver.test-utils.js';
import { popCoreClient } from '../support/ice-clients.js';
import { TEST_KEY, waitFor } from '../support/narrate-server.js';
import { freePort, startNarrateProcess, type NarrateProcess } from '../support/narrate-process.js';
import { dropSchema, newSchemaName, skipReason, TEST_DATABASE_URL, type Body } from './scale.test-utils.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DEPLOY = path.join(ROOT, 'deploy');
const UNITS = { api: 'narrate-api.service', worker: 'narrate-worker@.service' } as const;
const ENV_FILE = path.join(DEPLOY, 'narrate.env.example');
const KNOWN_ENV = new Set(OPTIONS.map((def) => def.env));
const run = promisify(execFile);

type Unit = Record<string, Array<[string, string]>>;

/** systemd's unit syntax as far as these files use it: sections, Key=Value, # and ; comments, repeated keys. */
function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      unit[section] ??= [];
      continue;
    }
    const pair = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!pair || !section) throw new Error(`not a unit line: ${raw}`);
    unit[section]!.push([pair[1]!, pair[2]!.trim()]);
  }
  return unit;
}
const values = (unit: Unit, section: string, key: string) => (unit[section] ?? []).filter(([k]) => k === key).map(([, v]) => v);
const value = (unit: Unit, section: string, key: string) => values(unit, section, key).at(-1);

/** KEY=VALUE lines of an EnvironmentFile; `commented` also takes the `#KEY=VALUE` examples. */
function parseEnvFile(text: string, { commented = false } = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const match = (commented ? /^#?([A-Z][A-Z0-9_]*)=(.*)$/ : /^([A-Z][A-Z0-9_]*)=(.*)$/).exec(raw.trim());
    if (match) env[match[1]!] = match[2]!;
  }
  return env;
}

/** ExecStart split into words, with the template instance filled in. */
function execStartOf(unit: Unit, instance = '1'): string[] {
  return value(unit, 'Service', 'ExecStart')!.replace(/%i/g, instance).split(/\s+/);
}

describe('deploy/ systemd units and environment file', () => {
  for (const [role, file] of Object.entries(UNITS) as Array<['api' | 'worker', string]>) {
    it(`${file}: sections, ExecStart runs \`narrate ${role}\` with real options, stops with a drain-sized timeout`, async () => {
      const unit = parseUnit(await readFile(path.join(DEPLOY, file), 'utf8'));
      expect(Object.keys(unit).sort()).toEqual(['Install', 'Service', 'Unit']);
      expect(value(unit, 'Unit', 'Description')).toBeTruthy();
      expect(value(unit, 'Install', 'WantedBy')).toBe('multi-user.target');
      expect(value(unit, 'Service', 'User')).toBe('narrate');
      expect(value(unit, 'Service', 'Restart')).toBe('on-failure');
      expect(value(unit, 'Service', 'KillSignal')).toBe('SIGTERM');
      // The process hard-stops itself 30 s after SIGTERM; systemd must not SIGKILL it sooner.
      expect(Number(value(unit, 'Service', 'TimeoutStopSec'))).toBeGreaterThan(30);
      expect(values(unit, 'Service', 'EnvironmentFile')).toEqual(['/etc/narrate/narrate.env']);

      const [binary, command, ...args] = execStartOf(unit);
      expect(path.isAbsolute(binary!)).toBe(true);
      const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
      expect(Object.keys(pkg.bin)).toContain(path.basename(binary!));
      expect(command).toBe(role);
      for (const arg of args.filter((a) => a.startsWith('--'))) {
        const def = OPTIONS.find((d) => d.flag === arg);
        expect(def, `${arg} is an option`).toBeDefined();
        expect(def!.scope, `${arg} applies to ${role}`).toContain(role);
      }
      // The CLI itself accepts the command line (through --help, which parses and exits 0).
      const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'narrate.ts'), command!, ...args, '--help'], { cwd: ROOT });
      expect(stdout).toContain(`Usage: narrate ${role}`);

      for (const assignment of values(unit, 'Service', 'Environment')) {
        const name = assignment.replace(/^"/, '').split('=')[0]!;
        if (name.startsWith('NARRATE_')) expect(KNOWN_ENV.has(name), name).toBe(true);
      }
    });
  }

  it('narrate.env.example lists every configuration variable, no unknown NARRATE_ name, and parses', async () => {
    const text = await readFile(ENV_FILE, 'utf8');
    const all = parseEnvFile(text, { commented: true });
    for (const name of KNOWN_ENV) expect(Object.keys(all), `${name} is documented`).toContain(name);
    for (const name of Object.keys(all)) if (name.startsWith('NARRATE_')) expect(KNOWN_ENV.has(name), `${name} is a real variable`).toBe(true);
    // Both the active settings and the commented examples are valid values.
    expect(() => parseConfig({ env: parseEnvFile(text) })).not.toThrow();
    const config = parseConfig({ env: all });
    expect(config.databaseUrl).toMatch(/^postgres:\/\//);
    expect(config.s3Endpoint).toMatch(/^https?:\/\//);
    // Commented lines that show a default show the real one.
    for (const def of OPTIONS) {
      const shown = /^#([A-Z_0-9]+)=(.*)$/m.exec(text.split('\n').find((line) => line.startsWith(`#${def.env}=`)) ?? '');
      // Machine-dependent defaults (docDefault) are described in the comment, not shown as a value.
      if (!shown || !def.default || def.docDefault || ['NARRATE_DATA_DIR', 'NARRATE_CALLBACK_ALLOWLIST', 'NARRATE_PUBLIC_URL'].includes(def.env)) continue;
      expect(String(parseConfig({ env: { [def.env]: shown[2] } })[def.key]), def.env).toBe(String(def.default({})));
    }
  });

  it('systemd-analyze verify accepts both units (when systemd is installed)', async () => {
    const available = await run('systemd-analyze', ['--version']).then(() => true, () => false);
    if (!available) {
      console.warn('systemd-analyze not installed (Debian package systemd): skipping the verify step.');
      return;
    }
    const dir = await mkdtemp(path.join(os.tmpdir(), 'narrate-units-'));
    try {
      // Verify checks that the binary and environment file exist: point them at stand-ins.
      const binary = path.join(dir, 'narrate');
      await writeFile(binary, '#!/bin/sh\nexit 0\n');
      await chmod(binary, 0o755);
      await copyFile(ENV_FILE, path.join(dir, 'narrate.env'));
      const targets: string[] = [];
      for (const [file, name] of [[UNITS.api, UNITS.api], [UNITS.worker, 'narrate-worker@1.service']] as const) {
        const text = (await readFile(path.join(DEPLOY, file), 'utf8'))
          .replace('/usr/local/bin/narrate', binary)
          .replace('/etc/narrate/narrate.env', path.join(dir, 'narrate.env'));
        await writeFile(path.join(dir, name), text);
        targets.push(path.join(dir, name));
      }
      const result = await run('systemd-analyze', ['verify', ...targets]).then(
        ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
        (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, output: error.stdout + error.stderr }),
      );
      expect(result.code, result.output).toBe(0);
      expect(result.output).not.toMatch(/unknown|invalid|failed/i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(skipReason('starting the systemd units') !== null)('deploy/ units started as systemd would', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('api + worker@1 from ExecStart and the environment file (database and S3 pointed at the test ones) finish a job', async () => {
    const url = TEST_DATABASE_URL!;
    const schema = newSchemaName('scale_units');
    cleanups.push(() => dropSchema({ url, schema }));
    const s3 = await startS3rver({ buckets: ['units'] });
    cleanups.push(() => s3.close());
    const root = await mkdtemp(path.join(os.tmpdir(), 'narrate-units-'));
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const port = await freePort();
    const env = {
      ...parseEnvFile(await readFile(ENV_FILE, 'utf8')),
      NARRATE_DATABASE_URL: url,
      NARRATE_DATABASE_SCHEMA: schema,
      NARRATE_S3_ENDPOINT: s3.endpoint,
      NARRATE_S3_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      NARRATE_S3_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      NARRATE_VOICES_DIR: path.join(root, 'voices'),
      NARRATE_ACCESS_KEYS: `${TEST_KEY.id}:${TEST_KEY.secret}`,
      NARRATE_PORT: String(port),
    };
    const started: NarrateProcess[] = [];
    cleanups.push(async () => {
      for (const p of started) await p.kill('SIGKILL');
    });
    for (const [role, file] of Object.entries(UNITS) as Array<['api' | 'worker', string]>) {
      const [, command, ...args] = execStartOf(parseUnit(await readFile(path.join(DEPLOY, file), 'utf8')));
      expect(command).toBe(role);
      const local = args.map((arg) => arg.replace('/var/lib/narrate', root)).map((arg) => (arg === '0.0.0.0' ? '127.0.0.1' : arg));
      started.push(await startNarrateProcess({ command: role, args: local, env }));
    }
    const client = popCoreClient({ port, ...TEST_KEY });
    const call = (action: string, params: Record<string, string>) => client.request(action, params, { method: 'POST' }) as Promise<Body>;
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const submitted = await call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Harry' }),
      InputConfig: 'Started from the systemd units.',
      OutputConfig: JSON.stringify({ bucket: 'units', object: 'hello' }),
    });
    const result = await waitFor(async () => {
      const body = await call('GetSmartHandleJob', { JobId: submitted.JobId });
      return body.State === 'Finished' || body.State === 'Failed' ? body : null;
    }, { what: 'the job' });
    expect(result.State, `${result.ErrorCode} ${result.ErrorMessage}`).toBe('Finished');
    expect((await fetch(result.JobResult.MediaUrl)).status).toBe(200);
    // SIGTERM (systemd's stop) ends both cleanly.
    for (const p of started) expect(await p.kill('SIGTERM')).toBe(0);
  }, 120_000);
});
