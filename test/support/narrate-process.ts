/**
 * Runs `narrate <command>` as a real child process, for tests that kill and restart it (through
 * tsx, so tests use the current source) and for benches (from dist/, as `npx narrate` runs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export interface NarrateProcess {
  child: ChildProcess;
  /** Everything it logged so far. */
  output(): string;
  /** Resolves when it exits. */
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the process and waits for its "started" log line. `from: 'dist'` runs the compiled CLI
 * (bin/narrate.js); the caller makes sure dist/ is current (`npm run build`).
 */
export async function startNarrateProcess({
  command,
  args,
  env = {},
  from = 'source',
}: {
  command: 'serve' | 'api' | 'worker';
  args: string[];
  env?: Record<string, string>;
  from?: 'source' | 'dist';
}): Promise<NarrateProcess> {
  const entry = from === 'dist' ? [path.join(ROOT, 'bin', 'narrate.js')] : ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'narrate.ts')];
  const child = spawn(process.execPath, [...entry, command, ...args], {
    cwd: ROOT,
    env: { ...process.env, NARRATE_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!log.includes(`narrate ${command} started`)) {
    if (child.exitCode !== null) throw new Error(`narrate ${command} exited early:\n${log}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`narrate ${command} did not start:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    child,
    output: () => log,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
