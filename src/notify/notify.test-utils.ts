import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSqliteStore } from '../store/sqlite/sqlite.store.js';
import type { JobStore, NewDelivery } from '../store/store.types.js';

/** One request a test receiver got. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP receiver on 127.0.0.1 that records what reaches it; `respond` decides the answer. */
export async function startReceiver(
  respond: (req: ReceivedRequest, res: ServerResponse, index: number) => void = (_req, res) => res.end('ok'),
  port = 0,
) {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(received);
      respond(received, res, requests.length - 1);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actualPort = (server.address() as AddressInfo).port;
  return {
    requests,
    port: actualPort,
    url: (path = '/callback') => `http://127.0.0.1:${actualPort}${path}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** A fresh in-memory SQLite store with the real migrations. */
export function createTestStore(path = ':memory:'): JobStore {
  return createSqliteStore({ path });
}

/** A clock tests move by hand. */
export function createManualClock(start = new Date('2024-05-06T07:08:09.000Z')) {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance: (ms: number) => {
      current += ms;
    },
  };
}

let jobCounter = 0;

/**
 * Puts a delivery in the outbox the only way the port allows: a job is created, claimed and
 * completed with the delivery in the same transaction (as the worker does).
 */
export async function seedDelivery(store: JobStore, args: { delivery: Omit<NewDelivery, 'jobId'> & { jobId?: string }; now: Date }): Promise<NewDelivery> {
  jobCounter += 1;
  const jobId = args.delivery.jobId ?? jobCounter.toString(16).padStart(32, '0');
  await store.createJob({
    id: jobId,
    mediaId: jobId.replace(/^0/, 'm'),
    ownerKeyId: 'anonymous',
    title: 't',
    description: null,
    userData: null,
    inputText: 'hello',
    editingConfig: '{}',
    outputBucket: 'b',
    outputObject: 'o',
    overwrite: true,
    createdAt: args.now,
  });
  const claimed = await store.claimJob({ workerId: 'seed', leaseMs: 60_000, now: args.now });
  if (claimed?.id !== jobId) throw new Error('seedDelivery: another job was claimed');
  const delivery: NewDelivery = { ...args.delivery, jobId };
  const done = await store.completeJob({
    jobId,
    workerId: 'seed',
    now: args.now,
    outcome: { state: 'Failed', errorCode: 'InternalError', errorMessage: 'seeded' },
    delivery,
  });
  if (!done) throw new Error('seedDelivery: completeJob refused');
  return delivery;
}
