import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobResult, JobStore, NewDelivery, NewJob } from './store.types.js';

/**
 * The one contract every JobStore passes. Each test gets a fresh, empty store from makeStore
 * (SQLite: a temp file; PostgreSQL: its own schema) and every time is passed in explicitly.
 */
export type MakeStore = (ctx: { testName: string }) => Promise<{ store: JobStore; cleanup: () => Promise<void> }>;

const T0 = Date.parse('2025-03-01T08:00:00.000Z');
const at = (ms: number) => new Date(T0 + ms);
const hex = (prefix: string, n: number) => `${prefix}${n.toString(16)}`.padEnd(32, '0').slice(0, 32);

/** A valid job numbered n (ids and times derived from n), for store tests. */
export function newJob(n: number, overrides: Partial<NewJob> = {}): NewJob {
  return {
    id: hex('a', n),
    mediaId: hex('b', n),
    ownerKeyId: 'key-1',
    title: `job ${n}`,
    description: null,
    userData: null,
    inputText: `text ${n}`,
    editingConfig: '{"voice":"x"}',
    outputBucket: 'bucket',
    outputObject: `out/${n}`,
    overwrite: false,
    createdAt: at(n * 1000),
    ...overrides,
  };
}

const RESULT: JobResult = {
  bucket: 'bucket',
  key: 'out/1.mp3',
  format: 'mp3',
  sampleRate: 24000,
  bytes: 1234,
  durationMs: 5678,
  aiResult: '[]',
  extraKeys: ['out/1.srt'],
};

function delivery(jobId: string, n: number, overrides: Partial<NewDelivery> = {}): NewDelivery {
  return { id: hex('d', n), jobId, kind: 'http', target: 'https://example.test/hook', body: `{"n":${n}}`, createdAt: at(n * 1000), ...overrides };
}

/** Which settles first: the promise, or a generous guard (so a broken wake-up fails instead of hanging). */
async function settlesBeforeGuard(promise: Promise<unknown>, guardMs = 10_000): Promise<'settled' | 'guard'> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<'guard'>((resolve) => {
    timer = setTimeout(() => resolve('guard'), guardMs);
  });
  try {
    return await Promise.race([promise.then(() => 'settled' as const), guard]);
  } finally {
    clearTimeout(timer);
  }
}

export function runStoreContract(name: string, makeStore: MakeStore): void {
  describe(`JobStore contract: ${name}`, () => {
    let store: JobStore;
    let cleanup: () => Promise<void>;

    beforeEach(async (ctx) => {
      ({ store, cleanup } = await makeStore({ testName: ctx.task.name }));
    });
    afterEach(async () => {
      await cleanup();
    });

    async function claimAs(workerId: string, nowMs: number, leaseMs = 30_000) {
      return store.claimJob({ workerId, leaseMs, now: at(nowMs) });
    }

    describe('jobs', () => {
      it('creates a job in state Created and reads it back by id and by media id', async () => {
        const created = await store.createJob(newJob(1, { description: 'd', userData: '{"u":1}', overwrite: true }));
        expect(created).toMatchObject({
          id: hex('a', 1),
          mediaId: hex('b', 1),
          state: 'Created',
          jobType: 'TextToSpeech',
          attempts: 0,
          progress: 0,
          leaseOwner: null,
          leaseExpiresAt: null,
          result: null,
          errorCode: null,
          description: 'd',
          userData: '{"u":1}',
          overwrite: true,
        });
        expect(created.createdAt).toEqual(at(1000));
        expect(created.modifiedAt).toEqual(at(1000));
        expect(await store.getJob(hex('a', 1))).toEqual(created);
        expect(await store.getJobByMediaId(hex('b', 1))).toEqual(created);
        expect(await store.getJob(hex('f', 1))).toBeNull();
        expect(await store.getJobByMediaId(hex('f', 1))).toBeNull();
      });

      it('refuses a second job with the same media id', async () => {
        await store.createJob(newJob(1));
        await expect(store.createJob(newJob(2, { mediaId: hex('b', 1) }))).rejects.toThrow();
        expect(await store.getJob(hex('a', 2))).toBeNull();
      });

      it('lists with filters, both orders, totals, offset paging and token paging', async () => {
        // Five jobs; 3 and 4 share a timestamp so the id tie-breaker is exercised.
        for (const n of [1, 2, 3, 4, 5]) {
          await store.createJob(newJob(n, { ownerKeyId: n % 2 ? 'odd' : 'even', createdAt: at((n === 4 ? 3 : n) * 1000) }));
        }
        const ids = (page: { jobs: { id: string }[] }) => page.jobs.map((j) => j.id);

        const all = await store.listJobs({ order: 'asc', limit: 10 });
        expect(ids(all)).toEqual([1, 2, 3, 4, 5].map((n) => hex('a', n)));
        expect(all.total).toBe(5);
        expect(all.nextToken).toBeNull();

        const desc = await store.listJobs({ order: 'desc', limit: 10 });
        expect(ids(desc)).toEqual([5, 4, 3, 2, 1].map((n) => hex('a', n)));

        const odd = await store.listJobs({ order: 'asc', limit: 10, ownerKeyId: 'odd' });
        expect(ids(odd)).toEqual([1, 3, 5].map((n) => hex('a', n)));
        expect(odd.total).toBe(3);

        await claimAs('w', 10_000); // job 1 becomes Executing
        const executing = await store.listJobs({ order: 'asc', limit: 10, state: 'Executing' });
        expect(ids(executing)).toEqual([hex('a', 1)]);
        expect(executing.total).toBe(1);
        const oddCreated = await store.listJobs({ order: 'asc', limit: 10, ownerKeyId: 'odd', state: 'Created' });
        expect(ids(oddCreated)).toEqual([3, 5].map((n) => hex('a', n)));
        expect((await store.listJobs({ order: 'asc', limit: 10, jobType: 'TextToSpeech' })).total).toBe(5);
        expect((await store.listJobs({ order: 'asc', limit: 10, jobType: 'Other' })).total).toBe(0);

        const page2 = await store.listJobs({ order: 'asc', limit: 2, offset: 2 });
        expect(ids(page2)).toEqual([3, 4].map((n) => hex('a', n)));
        expect(page2.total).toBe(5);
        expect((await store.listJobs({ order: 'asc', limit: 2, offset: 10 })).jobs).toEqual([]);

        for (const order of ['asc', 'desc'] as const) {
          const seen: string[] = [];
          let token: string | undefined;
          let pages = 0;
          do {
            const page = await store.listJobs({ order, limit: 2, afterToken: token });
            expect(page.total).toBe(5);
            seen.push(...ids(page));
            token = page.nextToken ?? undefined;
            pages += 1;
          } while (token && pages < 10);
          expect(pages).toBe(3);
          expect(seen).toEqual(order === 'asc' ? ids(all) : ids(desc));
        }
      });

      it('rejects a page token it did not issue', async () => {
        await expect(store.listJobs({ order: 'asc', limit: 2, afterToken: 'not-a-token' })).rejects.toThrow(/NextToken/);
      });

      it('rejects a well-formed page token that no job could have produced, as a client error in both stores', async () => {
        await store.createJob(newJob(1));
        const forged = (createdAtMs: number, id: string) => Buffer.from(JSON.stringify([createdAtMs, id]), 'utf8').toString('base64url');
        // A time PostgreSQL cannot hold (before 4713 BC, or not a date at all) and an id with a NUL in it.
        for (const token of [forged(-8.64e15, hex('a', 1)), forged(Number.MAX_SAFE_INTEGER, hex('a', 1)), forged(T0, 'a\u0000b')]) {
          await expect(store.listJobs({ order: 'asc', limit: 2, afterToken: token })).rejects.toMatchObject({ code: 'InvalidParameter', param: 'NextToken' });
        }
        // The boundary of what a real job can carry still pages.
        expect((await store.listJobs({ order: 'asc', limit: 2, afterToken: forged(0, '0'.repeat(32)) })).jobs.map((job) => job.id)).toEqual([hex('a', 1)]);
      });

      it('deletes jobs with their pending deliveries and counts only those that existed', async () => {
        await store.createJob(newJob(1));
        await store.createJob(newJob(2));
        await claimAs('w', 5000);
        await store.completeJob({ jobId: hex('a', 1), workerId: 'w', now: at(6000), outcome: { state: 'Finished', result: RESULT }, delivery: delivery(hex('a', 1), 1) });

        expect(await store.deleteJobs([hex('a', 1), hex('f', 9)])).toBe(1);
        expect(await store.getJob(hex('a', 1))).toBeNull();
        expect(await store.getJob(hex('a', 2))).not.toBeNull();
        expect(await store.listDeliveries({ jobId: hex('a', 1), limit: 10 })).toEqual([]);
        expect(await store.deleteJobs([])).toBe(0);
      });

      it('finds the finished jobs that wrote an output object, newest first, by either spelling of its key', async () => {
        // Jobs 1 and 2 write the same object (Overwrite); job 3 another; job 4 the same one, unfinished.
        for (const n of [1, 2, 3, 4]) await store.createJob(newJob(n, { outputObject: n === 3 ? 'out/other' : 'out/same' }));
        for (const n of [1, 2, 3]) {
          await claimAs('w', 5000 + n);
          await store.completeJob({ jobId: hex('a', n), workerId: 'w', now: at(6000 + n * 1000), outcome: { state: 'Finished', result: { ...RESULT, key: n === 3 ? 'out/other.mp3' : 'out/same.mp3' } } });
        }
        await claimAs('w', 9500);
        const ids = (jobs: Array<{ id: string }>) => jobs.map((job) => job.id);
        expect(ids(await store.findFinishedJobsByOutput({ bucket: 'bucket', objects: ['out/same.mp3', 'out/same'], limit: 10 }))).toEqual([hex('a', 2), hex('a', 1)]);
        expect(ids(await store.findFinishedJobsByOutput({ bucket: 'bucket', objects: ['out/same'], limit: 1 }))).toEqual([hex('a', 2)]);
        expect(ids(await store.findFinishedJobsByOutput({ bucket: 'bucket', objects: ['out/other'], limit: 10 }))).toEqual([hex('a', 3)]);
        expect(await store.findFinishedJobsByOutput({ bucket: 'elsewhere', objects: ['out/same'], limit: 10 })).toEqual([]);
        expect(await store.findFinishedJobsByOutput({ bucket: 'bucket', objects: ['out/none.mp3', 'out/none'], limit: 10 })).toEqual([]);
        expect(await store.findFinishedJobsByOutput({ bucket: 'bucket', objects: [], limit: 10 })).toEqual([]);
      });

      it('counts jobs by state, with zeros for empty states', async () => {
        expect(await store.countJobsByState()).toEqual({ Created: 0, Executing: 0, Finished: 0, Failed: 0 });
        for (const n of [1, 2, 3]) await store.createJob(newJob(n));
        await claimAs('w', 5000);
        await claimAs('w', 5000);
        await store.completeJob({ jobId: hex('a', 2), workerId: 'w', now: at(6000), outcome: { state: 'Failed', errorCode: 'SynthesisFailed', errorMessage: 'boom' } });
        expect(await store.countJobsByState()).toEqual({ Created: 1, Executing: 1, Finished: 0, Failed: 1 });
      });
    });

    describe('claiming and leases', () => {
      it('claims the oldest created job first and leases it', async () => {
        await store.createJob(newJob(3));
        await store.createJob(newJob(1));
        await store.createJob(newJob(2));
        const first = await claimAs('w1', 10_000, 5000);
        expect(first).toMatchObject({ id: hex('a', 1), state: 'Executing', leaseOwner: 'w1', attempts: 1 });
        expect(first?.leaseExpiresAt).toEqual(at(15_000));
        expect((await claimAs('w1', 10_000))?.id).toBe(hex('a', 2));
        expect((await claimAs('w1', 10_000))?.id).toBe(hex('a', 3));
        expect(await claimAs('w1', 10_000)).toBeNull();
      });

      it('never gives the same job to two concurrent claimers', async () => {
        for (let n = 1; n <= 10; n++) await store.createJob(newJob(n));
        const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => claimAs(`w${i}`, 20_000)));
        const claimed = claims.filter((c) => c !== null).map((c) => c!.id);
        expect(claimed).toHaveLength(10);
        expect(new Set(claimed).size).toBe(10);
        expect((await store.countJobsByState()).Executing).toBe(10);
      });

      it('re-claims a job whose lease expired, counting the attempt', async () => {
        await store.createJob(newJob(1));
        await claimAs('w1', 2000, 1000);
        expect(await claimAs('w2', 2999)).toBeNull(); // lease still live
        const again = await claimAs('w2', 3000, 1000);
        expect(again).toMatchObject({ id: hex('a', 1), leaseOwner: 'w2', attempts: 2, state: 'Executing' });
      });

      it('takes an expired job before a newer created one (oldest created first across both)', async () => {
        await store.createJob(newJob(1));
        await claimAs('w1', 2000, 1000);
        await store.createJob(newJob(2));
        expect((await claimAs('w2', 5000))?.id).toBe(hex('a', 1));
        expect((await claimAs('w2', 5000))?.id).toBe(hex('a', 2));
      });

      it('refuses completion by a worker whose lease was re-claimed, and writes nothing', async () => {
        await store.createJob(newJob(1));
        await claimAs('stale', 2000, 1000);
        await claimAs('fresh', 4000, 1000);
        const refused = await store.completeJob({
          jobId: hex('a', 1),
          workerId: 'stale',
          now: at(4500),
          outcome: { state: 'Finished', result: RESULT },
          delivery: delivery(hex('a', 1), 1),
        });
        expect(refused).toBe(false);
        expect(await store.getJob(hex('a', 1))).toMatchObject({ state: 'Executing', leaseOwner: 'fresh', result: null });
        expect(await store.listDeliveries({ limit: 10 })).toEqual([]);
        expect(await store.renewLease({ jobId: hex('a', 1), workerId: 'stale', leaseMs: 1000, now: at(4500) })).toBe(false);
        // The live owner may finish, even after its lease time (the owner, not the clock, decides).
        expect(await store.completeJob({ jobId: hex('a', 1), workerId: 'fresh', now: at(9000), outcome: { state: 'Finished', result: RESULT } })).toBe(true);
      });

      it('completes with the result and the delivery in one step, and only once', async () => {
        await store.createJob(newJob(1));
        await claimAs('w', 2000);
        const ok = await store.completeJob({
          jobId: hex('a', 1),
          workerId: 'w',
          now: at(3000),
          outcome: { state: 'Finished', result: RESULT },
          delivery: delivery(hex('a', 1), 1, { createdAt: at(3000) }),
        });
        expect(ok).toBe(true);
        const job = await store.getJob(hex('a', 1));
        expect(job).toMatchObject({ state: 'Finished', result: RESULT, progress: 100, errorCode: null });
        expect(job?.modifiedAt).toEqual(at(3000));
        const [d] = await store.listDeliveries({ jobId: hex('a', 1), limit: 10 });
        expect(d).toMatchObject({ id: hex('d', 1), state: 'pending', attempts: 0, kind: 'http', body: '{"n":1}', leaseOwner: null, deliveredAt: null });
        expect(d.nextAttemptAt).toEqual(at(3000));

        const again = await store.completeJob({
          jobId: hex('a', 1),
          workerId: 'w',
          now: at(4000),
          outcome: { state: 'Failed', errorCode: 'X', errorMessage: 'y' },
          delivery: delivery(hex('a', 1), 2),
        });
        expect(again).toBe(false);
        expect((await store.getJob(hex('a', 1)))?.state).toBe('Finished');
        expect(await store.listDeliveries({ jobId: hex('a', 1), limit: 10 })).toHaveLength(1);
      });

      it('records a failure with its code and message', async () => {
        await store.createJob(newJob(1));
        await claimAs('w', 2000);
        expect(await store.completeJob({ jobId: hex('a', 1), workerId: 'w', now: at(3000), outcome: { state: 'Failed', errorCode: 'SynthesisFailed', errorMessage: 'engine died' } })).toBe(true);
        expect(await store.getJob(hex('a', 1))).toMatchObject({ state: 'Failed', errorCode: 'SynthesisFailed', errorMessage: 'engine died', result: null });
      });

      it('refuses to complete a job that was never claimed', async () => {
        await store.createJob(newJob(1));
        expect(await store.completeJob({ jobId: hex('a', 1), workerId: 'w', now: at(3000), outcome: { state: 'Finished', result: RESULT } })).toBe(false);
        expect((await store.getJob(hex('a', 1)))?.state).toBe('Created');
      });

      it('renews a held lease with progress, and fails for a lease not held', async () => {
        await store.createJob(newJob(1));
        await claimAs('w', 2000, 1000);
        expect(await store.renewLease({ jobId: hex('a', 1), workerId: 'w', leaseMs: 5000, now: at(2500), progress: 42 })).toBe(true);
        const job = await store.getJob(hex('a', 1));
        expect(job).toMatchObject({ progress: 42, leaseOwner: 'w' });
        expect(job?.leaseExpiresAt).toEqual(at(7500));
        expect(await claimAs('other', 7000)).toBeNull(); // renewed lease protects it
        expect(await store.renewLease({ jobId: hex('a', 1), workerId: 'w', leaseMs: 5000, now: at(3000) })).toBe(true);
        expect((await store.getJob(hex('a', 1)))?.progress).toBe(42); // progress kept when omitted
        expect(await store.renewLease({ jobId: hex('a', 1), workerId: 'other', leaseMs: 5000, now: at(3000) })).toBe(false);
        expect(await store.renewLease({ jobId: hex('f', 1), workerId: 'w', leaseMs: 5000, now: at(3000) })).toBe(false);
      });

      it('release makes the job claimable at once and takes it from the releasing worker', async () => {
        await store.createJob(newJob(1));
        await claimAs('w1', 2000, 60_000);
        await store.releaseJob({ jobId: hex('a', 1), workerId: 'w1', now: at(3000) });
        const released = await store.getJob(hex('a', 1));
        expect(released).toMatchObject({ state: 'Executing', leaseOwner: null });
        expect(await store.completeJob({ jobId: hex('a', 1), workerId: 'w1', now: at(3000), outcome: { state: 'Finished', result: RESULT } })).toBe(false);
        expect(await claimAs('w2', 3000)).toMatchObject({ id: hex('a', 1), leaseOwner: 'w2', attempts: 2 });
        // Releasing a lease you do not hold changes nothing.
        await store.releaseJob({ jobId: hex('a', 1), workerId: 'w1', now: at(3500) });
        expect((await store.getJob(hex('a', 1)))?.leaseOwner).toBe('w2');
      });
    });

    describe('waitForWork', () => {
      it('wakes a waiting worker when a job is created', async () => {
        const waiting = store.waitForWork({ timeoutMs: 60_000 });
        await store.createJob(newJob(1));
        expect(await settlesBeforeGuard(waiting)).toBe('settled');
      });

      it('wakes a waiting worker when a delivery is written or resent', async () => {
        await store.createJob(newJob(1));
        await claimAs('w', 2000);
        await store.waitForWork({ timeoutMs: 0 }); // consume the createJob wake-up
        const waiting = store.waitForWork({ timeoutMs: 60_000 });
        await store.completeJob({ jobId: hex('a', 1), workerId: 'w', now: at(3000), outcome: { state: 'Finished', result: RESULT }, delivery: delivery(hex('a', 1), 1) });
        expect(await settlesBeforeGuard(waiting)).toBe('settled');

        await store.claimDeliveries({ workerId: 'n', now: at(3000), limit: 1, leaseMs: 1000 });
        await store.recordDeliveryAttempt({ id: hex('d', 1), workerId: 'n', now: at(3100), outcome: { kind: 'dead', error: 'x' } });
        await store.waitForWork({ timeoutMs: 0 });
        const waitingAgain = store.waitForWork({ timeoutMs: 60_000 });
        await store.resendDelivery({ id: hex('d', 1), now: at(4000) });
        expect(await settlesBeforeGuard(waitingAgain)).toBe('settled');
      });

      it('wakes a waiting worker when a lease is released', async () => {
        await store.createJob(newJob(1));
        await claimAs('w', 2000);
        await store.waitForWork({ timeoutMs: 0 });
        const waiting = store.waitForWork({ timeoutMs: 60_000 });
        await store.releaseJob({ jobId: hex('a', 1), workerId: 'w', now: at(3000) });
        expect(await settlesBeforeGuard(waiting)).toBe('settled');
      });

      it('remembers work created while nobody waited', async () => {
        await store.createJob(newJob(1));
        expect(await settlesBeforeGuard(store.waitForWork({ timeoutMs: 60_000 }))).toBe('settled');
      });

      it('honours abort and the timeout', async () => {
        const controller = new AbortController();
        const waiting = store.waitForWork({ timeoutMs: 60_000, signal: controller.signal });
        controller.abort();
        expect(await settlesBeforeGuard(waiting)).toBe('settled');
        expect(await settlesBeforeGuard(store.waitForWork({ timeoutMs: 60_000, signal: controller.signal }))).toBe('settled');
        expect(await settlesBeforeGuard(store.waitForWork({ timeoutMs: 10 }))).toBe('settled');
      });
    });

    describe('nonces', () => {
      it('refuses a reused nonce until it expires, per key', async () => {
        expect(await store.useNonce({ keyId: 'k', nonce: 'n1', now: at(0), ttlMs: 1000 })).toBe(true);
        expect(await store.useNonce({ keyId: 'k', nonce: 'n1', now: at(500), ttlMs: 1000 })).toBe(false);
        expect(await store.useNonce({ keyId: 'other', nonce: 'n1', now: at(500), ttlMs: 1000 })).toBe(true);
        expect(await store.useNonce({ keyId: 'k', nonce: 'n2', now: at(500), ttlMs: 1000 })).toBe(true);
        // Expired: the nonce may be used again (and is then guarded again).
        expect(await store.useNonce({ keyId: 'k', nonce: 'n1', now: at(120_000), ttlMs: 1000 })).toBe(true);
        expect(await store.useNonce({ keyId: 'k', nonce: 'n1', now: at(120_500), ttlMs: 1000 })).toBe(false);
      });

      it('records a nonce with a job in one step: a fresh nonce creates the job, a used one creates nothing', async () => {
        const nonce = (n: string, ms: number) => ({ keyId: 'key-1', nonce: n, now: at(ms), ttlMs: 60_000 });
        const created = await store.createJob(newJob(1), { nonce: nonce('n1', 0) });
        expect(created.id).toBe(newJob(1).id);
        // The nonce is now spent for plain requests too.
        expect(await store.useNonce(nonce('n1', 10))).toBe(false);
        // A replay (same nonce) is refused with the catalog's code and leaves no job behind.
        await expect(store.createJob(newJob(2), { nonce: nonce('n1', 20) })).rejects.toMatchObject({ code: 'SignatureNonceUsed' });
        expect(await store.getJob(newJob(2).id)).toBeNull();
        // A nonce spent by a plain request cannot create a job either.
        expect(await store.useNonce(nonce('n2', 30))).toBe(true);
        await expect(store.createJob(newJob(3), { nonce: nonce('n2', 40) })).rejects.toMatchObject({ code: 'SignatureNonceUsed' });
        expect(await store.getJob(newJob(3).id)).toBeNull();
        // Two submits racing with one nonce: exactly one job.
        const race = await Promise.allSettled([store.createJob(newJob(4), { nonce: nonce('n3', 50) }), store.createJob(newJob(5), { nonce: nonce('n3', 50) })]);
        expect(race.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
        expect((await store.countJobsByState()).Created).toBe(2);
        // A job whose insert fails (duplicate id) does not spend its nonce.
        await expect(store.createJob(newJob(1), { nonce: nonce('n4', 60) })).rejects.toThrow();
        expect(await store.useNonce(nonce('n4', 70))).toBe(true);
      });
    });

    describe('access keys', () => {
      it('stores, replaces and lists keys', async () => {
        expect(await store.getAccessKey('k1')).toBeNull();
        await store.putAccessKey({ id: 'k2', secret: 's2', allowedActions: ['*'], active: true, createdAt: at(0) });
        await store.putAccessKey({ id: 'k1', secret: 's1', allowedActions: ['ice:SubmitAudioProduceJob', 'ice:GetSmartHandleJob'], active: true, createdAt: at(1) });
        expect(await store.getAccessKey('k1')).toEqual({ id: 'k1', secret: 's1', allowedActions: ['ice:SubmitAudioProduceJob', 'ice:GetSmartHandleJob'], active: true, createdAt: at(1) });
        await store.putAccessKey({ id: 'k1', secret: 's1b', allowedActions: [], active: false, createdAt: at(1) });
        expect(await store.getAccessKey('k1')).toMatchObject({ secret: 's1b', allowedActions: [], active: false });
        expect((await store.listAccessKeys()).map((k) => k.id)).toEqual(['k1', 'k2']);
      });
    });

    describe('outbox', () => {
      async function finishedWithDelivery(n: number, nowMs: number) {
        await store.createJob(newJob(n));
        await claimAs('w', nowMs);
        await store.completeJob({ jobId: hex('a', n), workerId: 'w', now: at(nowMs), outcome: { state: 'Finished', result: RESULT }, delivery: delivery(hex('a', n), n, { createdAt: at(nowMs) }) });
      }

      it('claims due deliveries, retries later, dies, lists and resends', async () => {
        await finishedWithDelivery(1, 10_000);
        await finishedWithDelivery(2, 11_000);

        const claimed = await store.claimDeliveries({ workerId: 'n1', now: at(12_000), limit: 10, leaseMs: 5000 });
        expect(claimed.map((d) => d.id)).toEqual([hex('d', 1), hex('d', 2)]);
        expect(claimed[0]).toMatchObject({ leaseOwner: 'n1', attempts: 1 });
        expect(claimed[0].leaseExpiresAt).toEqual(at(17_000));
        // Leased: nobody else gets them.
        expect(await store.claimDeliveries({ workerId: 'n2', now: at(12_000), limit: 10, leaseMs: 5000 })).toEqual([]);

        // Only the lease owner may record the outcome.
        expect(await store.recordDeliveryAttempt({ id: hex('d', 1), workerId: 'n2', now: at(12_100), outcome: { kind: 'delivered' } })).toBe(false);
        expect((await store.listDeliveries({ state: 'delivered', limit: 10 }))).toEqual([]);

        expect(await store.recordDeliveryAttempt({ id: hex('d', 1), workerId: 'n1', now: at(12_100), outcome: { kind: 'delivered' } })).toBe(true);
        expect(await store.recordDeliveryAttempt({ id: hex('d', 2), workerId: 'n1', now: at(12_100), outcome: { kind: 'retry', nextAttemptAt: at(20_000), error: 'HTTP 503' } })).toBe(true);
        const [delivered] = await store.listDeliveries({ state: 'delivered', limit: 10 });
        expect(delivered).toMatchObject({ id: hex('d', 1), leaseOwner: null });
        expect(delivered.deliveredAt).toEqual(at(12_100));

        // Not due yet.
        expect(await store.claimDeliveries({ workerId: 'n1', now: at(19_999), limit: 10, leaseMs: 5000 })).toEqual([]);
        const retried = await store.claimDeliveries({ workerId: 'n2', now: at(20_000), limit: 10, leaseMs: 5000 });
        expect(retried).toHaveLength(1);
        expect(retried[0]).toMatchObject({ id: hex('d', 2), attempts: 2, lastError: 'HTTP 503', leaseOwner: 'n2' });

        await store.recordDeliveryAttempt({ id: hex('d', 2), workerId: 'n2', now: at(20_100), outcome: { kind: 'dead', error: 'gave up' } });
        expect(await store.listDeliveries({ state: 'dead', limit: 10 })).toEqual([expect.objectContaining({ id: hex('d', 2), lastError: 'gave up', state: 'dead' })]);
        expect(await store.listDeliveries({ state: 'pending', limit: 10 })).toEqual([]);
        expect(await store.listDeliveries({ limit: 1 })).toHaveLength(1);
        expect(await store.listDeliveries({ jobId: hex('a', 2), limit: 10 })).toHaveLength(1);

        expect(await store.resendDelivery({ id: hex('d', 2), now: at(30_000) })).toBe(true);
        expect(await store.resendDelivery({ id: hex('f', 9), now: at(30_000) })).toBe(false);
        const again = await store.claimDeliveries({ workerId: 'n3', now: at(30_000), limit: 10, leaseMs: 5000 });
        expect(again).toEqual([expect.objectContaining({ id: hex('d', 2), attempts: 1, state: 'pending' })]);
      });

      it('a resend while an attempt is in flight keeps its lease: no second worker sends it alongside', async () => {
        await finishedWithDelivery(1, 10_000);
        expect(await store.claimDeliveries({ workerId: 'n1', now: at(12_000), limit: 10, leaseMs: 5000 })).toHaveLength(1);
        expect(await store.resendDelivery({ id: hex('d', 1), now: at(12_500) })).toBe(true);
        expect(await store.claimDeliveries({ workerId: 'n2', now: at(12_600), limit: 10, leaseMs: 5000 })).toEqual([]);
        // The attempt in flight still reports, counted from the resend.
        expect(await store.recordDeliveryAttempt({ id: hex('d', 1), workerId: 'n1', now: at(12_700), outcome: { kind: 'retry', nextAttemptAt: at(13_000), error: 'HTTP 503' } })).toBe(true);
        const next = await store.claimDeliveries({ workerId: 'n2', now: at(13_000), limit: 10, leaseMs: 5000 });
        expect(next).toEqual([expect.objectContaining({ id: hex('d', 1), attempts: 1, leaseOwner: 'n2' })]);
      });

      it('hands an expired delivery lease to another worker and honours the limit', async () => {
        await finishedWithDelivery(1, 10_000);
        await finishedWithDelivery(2, 11_000);
        expect(await store.claimDeliveries({ workerId: 'n1', now: at(12_000), limit: 1, leaseMs: 1000 })).toHaveLength(1);
        const rest = await store.claimDeliveries({ workerId: 'n2', now: at(12_000), limit: 10, leaseMs: 1000 });
        expect(rest.map((d) => d.id)).toEqual([hex('d', 2)]);
        const taken = await store.claimDeliveries({ workerId: 'n3', now: at(13_000), limit: 10, leaseMs: 1000 });
        expect(taken.map((d) => d.id)).toEqual([hex('d', 1), hex('d', 2)]);
        // The first worker's lease is gone: its late report is ignored.
        expect(await store.recordDeliveryAttempt({ id: hex('d', 1), workerId: 'n1', now: at(13_100), outcome: { kind: 'dead', error: 'late' } })).toBe(false);
        expect(await store.listDeliveries({ state: 'dead', limit: 10 })).toEqual([]);
      });
    });

    describe('queues', () => {
      it('hides received messages, re-shows them after the visibility timeout with a new handle, and deletes by the latest handle', async () => {
        await store.sendQueueMessage({ id: 'm1', queue: 'ice-callback-a', body: 'one', now: at(0) });
        await store.sendQueueMessage({ id: 'm2', queue: 'ice-callback-a', body: 'two', now: at(1) });
        await store.sendQueueMessage({ id: 'm3', queue: 'ice-callback-b', body: 'other', now: at(2) });

        const first = await store.receiveQueueMessages({ queue: 'ice-callback-a', max: 1, visibilityMs: 30_000, now: at(10) });
        expect(first).toEqual([expect.objectContaining({ id: 'm1', body: 'one', receiveCount: 1, queue: 'ice-callback-a' })]);
        expect(first[0].createdAt).toEqual(at(0));
        const second = await store.receiveQueueMessages({ queue: 'ice-callback-a', max: 10, visibilityMs: 30_000, now: at(20) });
        expect(second.map((m) => m.id)).toEqual(['m2']);
        expect(await store.receiveQueueMessages({ queue: 'ice-callback-a', max: 10, visibilityMs: 30_000, now: at(29_000) })).toEqual([]);

        const again = await store.receiveQueueMessages({ queue: 'ice-callback-a', max: 10, visibilityMs: 30_000, now: at(30_010) });
        expect(again.map((m) => m.id)).toEqual(['m1']);
        expect(again[0].receiveCount).toBe(2);
        expect(again[0].receiptHandle).not.toBe(first[0].receiptHandle);

        expect(await store.deleteQueueMessage({ queue: 'ice-callback-a', receiptHandle: first[0].receiptHandle })).toBe(false);
        expect(await store.deleteQueueMessage({ queue: 'ice-callback-b', receiptHandle: again[0].receiptHandle })).toBe(false);
        expect(await store.deleteQueueMessage({ queue: 'ice-callback-a', receiptHandle: again[0].receiptHandle })).toBe(true);
        expect(await store.deleteQueueMessage({ queue: 'ice-callback-a', receiptHandle: again[0].receiptHandle })).toBe(false);
        expect(await store.receiveQueueMessages({ queue: 'ice-callback-a', max: 10, visibilityMs: 30_000, now: at(100_000) })).toEqual([
          expect.objectContaining({ id: 'm2', receiveCount: 2 }),
        ]);
        expect((await store.receiveQueueMessages({ queue: 'ice-callback-b', max: 10, visibilityMs: 30_000, now: at(100_000) })).map((m) => m.id)).toEqual(['m3']);
      });
    });

    describe('settings and health', () => {
      it('stores and replaces settings', async () => {
        expect(await store.getSetting('callback')).toBeNull();
        await store.putSetting('callback', 'https://a');
        await store.putSetting('callback', 'https://b');
        expect(await store.getSetting('callback')).toBe('https://b');
        await store.ping();
      });
    });
  });
}
