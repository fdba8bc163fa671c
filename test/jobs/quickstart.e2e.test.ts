/** The README's quick-start snippet runs as written against a real server. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, TEST_KEY, type TestServer } from '../support/narrate-server.js';

const root = path.resolve(import.meta.dirname, '..', '..');
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.stop();
});

it('examples/quickstart.mjs finishes a job and prints its MediaUrl and timings', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(root, 'examples', 'quickstart.mjs')], {
    env: { ...process.env, NARRATE_ENDPOINT: server.url, NARRATE_KEY_ID: TEST_KEY.id, NARRATE_KEY_SECRET: TEST_KEY.secret },
  });
  expect(stdout).toMatch(/^Finished http:\/\/127\.0\.0\.1:\d+\/buckets\/demo\/hello\/world\.mp3\?Expires=\d+&Signature=/);
  expect(stdout).toContain("text: '说起郭德纲，'");
});

it('the README shows the snippet exactly as the tested file has it', async () => {
  const readme = await readFile(path.join(root, 'README.md'), 'utf8');
  const snippet = await readFile(path.join(root, 'examples', 'quickstart.mjs'), 'utf8');
  expect(readme).toContain(snippet.trim());
});
