import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Fastify, { type FastifyInstance } from 'fastify';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { registerConsoleRoutes } from './console.routes.js';

describe('console static routes', () => {
  let app: FastifyInstance;
  let dist: string;

  beforeAll(async () => {
    dist = await mkdtemp(path.join(os.tmpdir(), 'narrate-console-'));
    await mkdir(path.join(dist, 'assets'));
    await writeFile(path.join(dist, 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(path.join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    app = Fastify();
    registerConsoleRoutes(app, { distDir: dist });
  });

  afterAll(async () => {
    await app.close();
    await rm(dist, { recursive: true, force: true });
  });

  it('redirects /console to /console/ and serves the page, revalidated', async () => {
    expect((await app.inject('/console')).headers.location).toBe('console/');
    const page = await app.inject('/console/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    // It holds an access key: no framing, no foreign scripts.
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('serves hashed assets with their type, cached for good', async () => {
    const script = await app.inject('/console/assets/index-abc123.js');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toContain('immutable');
    expect(script.body).toBe('console.log(1)');
  });

  it('answers 404 for a missing asset but the page for other paths', async () => {
    expect((await app.inject('/console/assets/gone.js')).statusCode).toBe(404);
    const deep = await app.inject('/console/jobs/123');
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toContain('<title>console</title>');
  });

  it('never serves files outside the build folder', async () => {
    const response = await app.inject('/console/..%2f..%2fetc%2fpasswd');
    expect(response.body).not.toContain('root:');
  });
});
