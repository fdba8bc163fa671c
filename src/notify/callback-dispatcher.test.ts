import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobStore } from '../store/store.types.js';
import { iceCallbackSignature } from './callback-auth.models.js';
import { createCallbackDispatcher } from './callback-dispatcher.js';
import { buildCompletionEvent, createDeliveryForJob } from './callback-event.models.js';
import { createCallbackHttpClient } from './callback-http.client.js';
import { completionDeliveryFor } from './completion-delivery.usecases.js';
import { listDeadDeliveries, resendDelivery } from './dead-deliveries.usecases.js';
import { loadEventCallbackSettings, setEventCallback } from './event-callback.usecases.js';
import { notifyTargetOf } from './notify-target.models.js';
import type { CallbackHttpClient } from './notify.types.js';
import { createManualClock, createTestStore, seedDelivery, startReceiver, type Receiver } from './notify.test-utils.js';
import { ICE_RETRY_POLICY, retryPolicyFrom } from './retry-policy.models.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function store(path?: string): JobStore {
  const s = createTestStore(path);
  cleanups.push(() => s.close());
  return s;
}
async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  cleanups.push(r.close);
  return r;
}
function httpClient(timeoutMs = 3000): CallbackHttpClient {
  const c = createCallbackHttpClient({ allowPrivate: true, timeoutMs });
  cleanups.push(() => c.close());
  return c;
}

const job = {
  id: 'c'.repeat(32),
  mediaId: 'd'.repeat(32),
  state: 'Finished' as const,
  userData: null as string | null,
  errorCode: null,
  errorMessage: null,
};

async function deliveryOf(s: JobStore, id: string) {
  const all = await s.listDeliveries({ limit: 100 });
  const found = all.find((d) => d.id === id);
  if (!found) throw new Error(`no delivery ${id}`);
  return found;
}

describe('callback dispatcher', () => {
  it('puts the exact envelope, headers and ICE signature on the wire (global URL and per-job NotifyAddress)', async () => {
    const s = store();
    const clock = createManualClock(new Date('2024-05-06T07:08:09.750Z'));
    const r = await receiver();
    await setEventCallback(s, { CallbackURL: r.url('/global'), AuthSwitch: 'on', AuthKey: 'Test123' });
    const settings = await loadEventCallbackSettings(s);

    const jobs = [
      { ...job, id: '1'.repeat(32), userData: null },
      { ...job, id: '2'.repeat(32), userData: JSON.stringify({ NotifyAddress: r.url('/per-job?x=1') }) },
    ];
    const deliveries = [];
    for (const j of jobs) {
      const target = notifyTargetOf({ userData: j.userData, globalSettings: settings, eventType: 'AudioProduceComplete' });
      const delivery = createDeliveryForJob({ job: j, target, userId: 1833220977560000, now: clock.now(), mediaUrl: 'http://127.0.0.1:8080/buckets/b/x.mp3' });
      deliveries.push(await seedDelivery(s, { delivery: delivery!, now: clock.now() }));
    }
    const dispatcher = createCallbackDispatcher({ store: s, httpClient: httpClient(), workerId: 'w1', now: clock.now });
    expect(await dispatcher.runOnce()).toMatchObject({ claimed: 2, delivered: 2, retried: 0, dead: 0 });

    const byPath = new Map(r.requests.map((req) => [req.url, req]));
    const global = byPath.get('/global')!;
    expect(global.method).toBe('POST');
    expect(global.body).toBe(deliveries[0]!.body);
    expect(global.body).toBe(buildCompletionEvent({ job: jobs[0]!, userId: 1833220977560000, now: clock.now(), mediaUrl: 'http://127.0.0.1:8080/buckets/b/x.mp3' }));
    expect(JSON.parse(global.body)).toEqual({
      EventType: 'AudioProduceComplete',
      UserId: 1833220977560000,
      EventTime: '2024-05-06T07:08:09Z',
      MessageBody: { JobId: '1'.repeat(32), JobType: 'TextToSpeech', Status: 'Finished', MediaId: 'd'.repeat(32), MediaURL: 'http://127.0.0.1:8080/buckets/b/x.mp3', ErrorCode: '', ErrorMessage: '', UserData: '' },
    });
    expect(global.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'Narrate',
      'x-narrate-delivery-id': deliveries[0]!.id,
      'x-ice-timestamp': '1714979289',
      'x-ice-signature': iceCallbackSignature({ url: r.url('/global'), timestamp: 1714979289, authKey: 'Test123' }),
    });

    const perJob = byPath.get('/per-job?x=1')!;
    expect(JSON.parse(perJob.body).MessageBody.UserData).toBe(jobs[1]!.userData);
    expect(perJob.headers['x-narrate-delivery-id']).toBe(deliveries[1]!.id);
    // The signature covers the URL actually posted to, not the global one.
    expect(perJob.headers['x-ice-signature']).toBe(iceCallbackSignature({ url: r.url('/per-job?x=1'), timestamp: 1714979289, authKey: 'Test123' }));
    expect((await deliveryOf(s, deliveries[1]!.id)).state).toBe('delivered');
  });

  it('ICE mode: a 500, then a timeout, then success makes three attempts with one delivery id', async () => {
    const s = store();
    const clock = createManualClock();
    const r = await receiver((_req, res, index) => {
      if (index === 0) {
        res.statusCode = 500;
        res.end('boom');
      } else if (index === 2) res.end('ok');
      // index 1: no answer at all
    });
    const delivery = await seedDelivery(s, { delivery: { id: 'e'.repeat(32), kind: 'http', target: r.url(), body: '{"n":1}', createdAt: clock.now() }, now: clock.now() });
    const dispatcher = createCallbackDispatcher({ store: s, httpClient: httpClient(300), policy: ICE_RETRY_POLICY, workerId: 'w1', now: clock.now });

    expect(await dispatcher.runOnce()).toMatchObject({ retried: 1, nextDueAt: new Date(clock.now().getTime() + 1000) });
    expect(await deliveryOf(s, delivery.id)).toMatchObject({ state: 'pending', attempts: 1, lastError: 'HTTP 500: boom' });
    // Not due yet: nothing is claimed before the 1 s pause is over.
    expect((await dispatcher.runOnce()).claimed).toBe(0);
    clock.advance(1000);
    expect(await dispatcher.runOnce()).toMatchObject({ retried: 1 });
    expect(await deliveryOf(s, delivery.id)).toMatchObject({ state: 'pending', attempts: 2, lastError: 'no answer within 300 ms' });
    clock.advance(1000);
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    expect(await deliveryOf(s, delivery.id)).toMatchObject({ state: 'delivered', attempts: 3 });
    expect(r.requests.map((req) => req.headers['x-narrate-delivery-id'])).toEqual([delivery.id, delivery.id, delivery.id]);
  });

  it('a target whose DNS never answers does not hold up the round: the others are delivered, it is retried', async () => {
    const s = store();
    const clock = createManualClock();
    const r = await receiver();
    // The network's edge: one name's name server never answers, the other name is the receiver.
    const c = createCallbackHttpClient({
      allowPrivate: true,
      timeoutMs: 300,
      lookup: async (hostname) => (hostname === 'stuck.example.test' ? new Promise(() => {}) : [{ address: '127.0.0.1', family: 4 }]),
    });
    cleanups.push(() => c.close());
    const stuck = await seedDelivery(s, { delivery: { id: 'd1'.repeat(16), kind: 'http', target: `http://stuck.example.test:${r.port}/`, body: '{}', createdAt: clock.now() }, now: clock.now() });
    const fine = await seedDelivery(s, { delivery: { id: 'd2'.repeat(16), kind: 'http', target: `http://fine.example.test:${r.port}/`, body: '{}', createdAt: clock.now() }, now: clock.now() });
    const dispatcher = createCallbackDispatcher({ store: s, httpClient: c, workerId: 'w1', now: clock.now });
    // A generous bound: before the fix the round never ended, and with it the dispatcher.
    const round = await Promise.race([dispatcher.runOnce(), new Promise((resolve) => setTimeout(() => resolve('round still running after 5 s'), 5000).unref())]);
    expect(round).toMatchObject({ claimed: 2, delivered: 1, retried: 1 });
    expect(await deliveryOf(s, fine.id)).toMatchObject({ state: 'delivered' });
    expect(await deliveryOf(s, stuck.id)).toMatchObject({ state: 'pending', attempts: 1, lastError: 'no answer within 300 ms' });
  });

  it('receiver down: retries are recorded on the backoff schedule, then it comes up and gets the event', async () => {
    const s = store();
    const clock = createManualClock();
    const down = await startReceiver();
    const port = down.port;
    await down.close();
    const delivery = await seedDelivery(s, { delivery: { id: 'a1'.repeat(16), kind: 'http', target: `http://127.0.0.1:${port}/cb`, body: '{}', createdAt: clock.now() }, now: clock.now() });
    const policy = retryPolicyFrom({ mode: 'backoff', jitter: 'equal' });
    const dispatcher = createCallbackDispatcher({ store: s, httpClient: httpClient(), policy, workerId: 'w1', now: clock.now, random: () => 0.5 });

    const expectedDelays = [750, 1500, 3000];
    for (const [i, delay] of expectedDelays.entries()) {
      const round = await dispatcher.runOnce();
      expect(round.retried).toBe(1);
      const row = await deliveryOf(s, delivery.id);
      expect(row.attempts).toBe(i + 1);
      expect(row.nextAttemptAt.getTime() - clock.now().getTime()).toBe(delay);
      expect(row.lastError).toMatch(/ECONNREFUSED|connect/i);
      clock.advance(delay);
    }
    const up = await receiver(undefined, port);
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    expect(up.requests).toHaveLength(1);
    expect(await deliveryOf(s, delivery.id)).toMatchObject({ state: 'delivered', attempts: 4 });
  });

  it('gives up when the policy is exhausted; the dead delivery is listed, resent and delivered', async () => {
    const s = store();
    const clock = createManualClock();
    let healthy = false;
    const r = await receiver((_req, res) => {
      res.statusCode = healthy ? 200 : 503;
      res.end();
    });
    const delivery = await seedDelivery(s, { delivery: { id: 'b2'.repeat(16), kind: 'http', target: r.url(), body: '{"dead":1}', createdAt: clock.now() }, now: clock.now() });
    const dispatcher = createCallbackDispatcher({ store: s, httpClient: httpClient(), policy: ICE_RETRY_POLICY, workerId: 'w1', now: clock.now });
    for (let i = 0; i < 3; i += 1) {
      await dispatcher.runOnce();
      clock.advance(1000);
    }
    expect(await deliveryOf(s, delivery.id)).toMatchObject({ state: 'dead', attempts: 3, lastError: 'HTTP 503' });
    expect((await dispatcher.runOnce()).claimed).toBe(0);
    expect((await listDeadDeliveries(s)).map((d) => d.id)).toEqual([delivery.id]);

    healthy = true;
    await resendDelivery(s, { id: delivery.id, now: clock.now() });
    expect(await listDeadDeliveries(s)).toEqual([]);
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    expect(r.requests).toHaveLength(4);
    expect(r.requests[3]!.headers['x-narrate-delivery-id']).toBe(delivery.id);
    expect(r.requests[3]!.body).toBe('{"dead":1}');
    await expect(resendDelivery(s, { id: 'f'.repeat(32), now: clock.now() })).rejects.toMatchObject({ code: 'DeliveryNotFound' });
  });

  it('queue target: the event lands in the named queue (receive, hidden, visible again, delete)', async () => {
    const s = store();
    const clock = createManualClock();
    const delivery = createDeliveryForJob({ job: { ...job, userData: '{"NotifyAddress":"ice-callback-demo"}' }, target: { kind: 'queue', queue: 'ice-callback-demo' }, userId: 42, now: clock.now() })!;
    await seedDelivery(s, { delivery, now: clock.now() });
    const dispatcher = createCallbackDispatcher({ store: s, httpClient: httpClient(), workerId: 'w1', now: clock.now });
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    expect(await deliveryOf(s, delivery.id)).toMatchObject({ state: 'delivered' });

    expect(await s.receiveQueueMessages({ queue: 'ice-callback-other', max: 10, visibilityMs: 30_000, now: clock.now() })).toEqual([]);
    const [first] = await s.receiveQueueMessages({ queue: 'ice-callback-demo', max: 10, visibilityMs: 30_000, now: clock.now() });
    expect(first).toMatchObject({ id: delivery.id, body: delivery.body, receiveCount: 1 });
    expect(JSON.parse(first!.body).UserId).toBe(42);
    clock.advance(29_000);
    expect(await s.receiveQueueMessages({ queue: 'ice-callback-demo', max: 10, visibilityMs: 30_000, now: clock.now() })).toEqual([]);
    clock.advance(2000);
    const [again] = await s.receiveQueueMessages({ queue: 'ice-callback-demo', max: 10, visibilityMs: 30_000, now: clock.now() });
    expect(again).toMatchObject({ id: delivery.id, receiveCount: 2 });
    expect(await s.deleteQueueMessage({ queue: 'ice-callback-demo', receiptHandle: first!.receiptHandle })).toBe(false);
    expect(await s.deleteQueueMessage({ queue: 'ice-callback-demo', receiptHandle: again!.receiptHandle })).toBe(true);
    clock.advance(60_000);
    expect(await s.receiveQueueMessages({ queue: 'ice-callback-demo', max: 10, visibilityMs: 30_000, now: clock.now() })).toEqual([]);
  });

  it('survives a restart: a delivery leased by a process that died is taken over once the lease runs out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'narrate-notify-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'store.db');
    const clock = createManualClock();
    const r = await receiver();

    const before = createTestStore(path);
    const delivery = await seedDelivery(before, { delivery: { id: 'c3'.repeat(16), kind: 'http', target: r.url(), body: '{}', createdAt: clock.now() }, now: clock.now() });
    // The first process claims the delivery and dies before sending it.
    expect(await before.claimDeliveries({ workerId: 'crashed', now: clock.now(), limit: 10, leaseMs: 30_000 })).toHaveLength(1);
    await before.close();

    const after = store(path);
    const dispatcher = createCallbackDispatcher({ store: after, httpClient: httpClient(), workerId: 'w2', now: clock.now, leaseMs: 30_000 });
    expect((await dispatcher.runOnce()).claimed).toBe(0);
    clock.advance(30_000);
    expect(await dispatcher.runOnce()).toMatchObject({ delivered: 1 });
    expect(r.requests).toHaveLength(1);
    expect(await deliveryOf(after, delivery.id)).toMatchObject({ state: 'delivered', attempts: 2 });
  });

  it('an attempt that outlives its lease records nothing and says so: the dispatcher that took over owns the outcome', async () => {
    const s = store();
    const clock = createManualClock();
    const held: { answer?: () => void } = {};
    // The receiver holds the first request until the test lets it go.
    const r = await receiver((_req, res, index) => {
      if (index === 0) held.answer = () => res.end('ok');
      else res.end('ok');
    });
    const delivery = await seedDelivery(s, { delivery: { id: 'c4'.repeat(16), kind: 'http', target: r.url(), body: '{}', createdAt: clock.now() }, now: clock.now() });
    const warnings: Array<{ obj: object; msg: string }> = [];
    const slow = createCallbackDispatcher({
      store: s,
      httpClient: httpClient(),
      workerId: 'w1',
      now: clock.now,
      leaseMs: 30_000,
      logger: { info() {}, warn: (obj, msg) => void warnings.push({ obj, msg }), error() {} },
    });
    const round = slow.runOnce();
    while (!held.answer) await new Promise((resolve) => setTimeout(resolve, 5));
    // Meanwhile the lease runs out and another dispatcher claims the delivery.
    clock.advance(30_000);
    expect(await s.claimDeliveries({ workerId: 'w2', now: clock.now(), limit: 10, leaseMs: 30_000 })).toHaveLength(1);
    held.answer();
    expect(await round).toMatchObject({ claimed: 1, delivered: 0, leaseLost: 1 });
    expect(warnings).toEqual([{ obj: expect.objectContaining({ deliveryId: delivery.id, outcome: 'delivered' }), msg: expect.stringMatching(/lease lost/) }]);
    expect(await deliveryOf(s, delivery.id)).toMatchObject({ state: 'pending', leaseOwner: 'w2', attempts: 2 });
  });

  it('start(): the loop wakes for new deliveries and for each due retry, and stops on abort', async () => {
    const s = store();
    // Two failures: the second retry is scheduled by a round that ran because the first came due,
    // and must be waited for as such, not after the 60 s idle wait.
    const r = await receiver((_req, res, index) => {
      res.statusCode = index < 2 ? 500 : 200;
      res.end();
    });
    const controller = new AbortController();
    const dispatcher = createCallbackDispatcher({
      store: s,
      httpClient: httpClient(),
      policy: { mode: 'ice', maxAttempts: 3, intervalMs: 50 },
      workerId: 'w1',
      idleMs: 60_000,
    });
    const loop = dispatcher.start({ signal: controller.signal });
    // Added while the loop waits: completeJob raises the store's work signal.
    const delivery = await seedDelivery(s, { delivery: { id: 'd4'.repeat(16), kind: 'http', target: r.url(), body: '{}', createdAt: new Date() }, now: new Date() });
    for (let i = 0; i < 200 && (await deliveryOf(s, delivery.id)).state !== 'delivered'; i += 1) await new Promise((resolve) => setTimeout(resolve, 25));
    controller.abort();
    await loop;
    expect(await deliveryOf(s, delivery.id)).toMatchObject({ state: 'delivered', attempts: 3 });
    expect(r.requests).toHaveLength(3);
  });

  it('start(): a store that fails (here: closed under it) makes the loop pause, not spin', async () => {
    const s = createTestStore();
    await s.close();
    let rounds = 0;
    const counting = {
      claimDeliveries: async (args: Parameters<JobStore['claimDeliveries']>[0]) => {
        rounds += 1;
        return s.claimDeliveries(args);
      },
      recordDeliveryAttempt: s.recordDeliveryAttempt.bind(s),
      sendQueueMessage: s.sendQueueMessage.bind(s),
      getSetting: s.getSetting.bind(s),
      waitForWork: s.waitForWork.bind(s),
    };
    const dispatcher = createCallbackDispatcher({ store: counting, httpClient: httpClient(), workerId: 'w', idleMs: 100 });
    const stop = new AbortController();
    const loop = dispatcher.start({ signal: stop.signal });
    await new Promise((resolve) => setTimeout(resolve, 500));
    stop.abort();
    await loop;
    // About one round per idleMs; the spinning loop made tens of thousands in the same half second.
    expect(rounds).toBeGreaterThanOrEqual(2);
    expect(rounds).toBeLessThan(20);
  });

  it('without auth sends no X-ICE headers; with the SSRF guard on, a loopback target gets no request and the refusal is recorded', async () => {
    const s = store();
    const clock = createManualClock();
    const r = await receiver();
    await setEventCallback(s, { CallbackURL: r.url('/global'), EventTypeList: 'AudioProduceComplete' });
    const failedJob = { ...job, state: 'Failed' as const, errorCode: 'SynthesisFailed', errorMessage: 'no voice' };
    const delivery = await completionDeliveryFor({ store: s, job: failedJob, userId: 5, now: clock.now() });
    expect(delivery).toMatchObject({ kind: 'http', target: r.url('/global') });
    await seedDelivery(s, { delivery: delivery!, now: clock.now() });

    const guarded = createCallbackHttpClient({ allowPrivate: false });
    cleanups.push(() => guarded.close());
    const refused = createCallbackDispatcher({ store: s, httpClient: guarded, workerId: 'w1', now: clock.now, random: () => 0 });
    expect(await refused.runOnce()).toMatchObject({ retried: 1 });
    expect(r.requests).toHaveLength(0);
    expect((await deliveryOf(s, delivery!.id)).lastError).toMatch(/Refused to connect to 127\.0\.0\.1/);

    clock.advance(1000);
    const allowed = createCallbackDispatcher({ store: s, httpClient: httpClient(), workerId: 'w1', now: clock.now });
    expect(await allowed.runOnce()).toMatchObject({ delivered: 1 });
    expect(r.requests).toHaveLength(1);
    expect(Object.keys(r.requests[0]!.headers).filter((h) => h.startsWith('x-ice-'))).toEqual([]);
    expect(JSON.parse(r.requests[0]!.body).MessageBody).toMatchObject({ Status: 'Failed', ErrorCode: 'SynthesisFailed', ErrorMessage: 'no voice', MediaURL: '' });

    // An event type the global callback does not subscribe to produces no delivery.
    expect(await completionDeliveryFor({ store: s, job: failedJob, userId: 5, now: clock.now(), eventType: 'SmartJobComplete' })).toBeNull();
  });
});
