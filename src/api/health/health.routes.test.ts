/**
 * /readyz against dependencies that hang: an object store that accepts connections and never
 * answers (a blackhole TCP server on loopback, the network edge) must make the probe say 503
 * promptly, not hang the load balancer's request.
 */
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore } from '../../store/create-store.js';
import { createStorage } from '../../storage/create-storage.js';
import type { JobStore } from '../../store/store.types.js';
import { registerHealthRoutes } from './health.routes.js';

let blackhole: net.Server;
const sockets = new Set<net.Socket>();
let port: number;
let dir: string;
let store: JobStore;

beforeAll(async () => {
  blackhole = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  port = (blackhole.address() as net.AddressInfo).port;
  dir = await mkdtemp(path.join(os.tmpdir(), 'narrate-health-'));
  store = await createStore({ dataDir: dir });
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  blackhole.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('/readyz', () => {
  it('answers 503 within its timeout when the object store never answers, naming only the check', async () => {
    const storage = createStorage({ dataDir: dir, s3Endpoint: `http://127.0.0.1:${port}`, s3AccessKeyId: 'k', s3SecretAccessKey: 's', s3PingBucket: 'b' });
    const app = Fastify();
    // Long enough for the database's own check on a busy CI machine; the silent object store never answers.
    registerHealthRoutes(app, { store, storage, timeoutMs: 2000 });
    const started = Date.now();
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'not ready', checks: { database: 'ok', storage: 'unavailable' } });
    // Generous: the point is that it returns at all (it hung before), not how fast.
    expect(Date.now() - started).toBeLessThan(10_000);
    await app.close();
  });

  it('runs extra checks, such as a worker whose claim loop stopped moving', async () => {
    const storage = createStorage({ dataDir: dir });
    const app = Fastify();
    let loopMoving = true;
    registerHealthRoutes(app, {
      store,
      storage,
      checks: {
        worker: async () => {
          if (!loopMoving) throw new Error('claim loop idle');
        },
      },
    });
    expect((await app.inject({ method: 'GET', url: '/readyz' })).json()).toEqual({ status: 'ready', checks: { database: 'ok', storage: 'ok', worker: 'ok' } });
    loopMoving = false;
    const down = await app.inject({ method: 'GET', url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.json().checks.worker).toBe('unavailable');
    await app.close();
  });
});
