/**
 * Callbacks through the whole server: the exact envelope and ICE signature on the wire, a receiver
 * that is down while the job finishes and the server is SIGKILLed, and delivery after the restart;
 * and, without the allowance, no request ever reaching a loopback receiver.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { popCoreClient } from '../support/ice-clients.js';
import { startTestServer, TEST_KEY, waitFor } from '../support/narrate-server.js';
import { freePort, startNarrateProcess, type NarrateProcess } from '../support/narrate-process.js';

type Body = Record<string, any>;
interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  url: string;
}

function receiver(port: number, received: Received[]) {
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body, url: request.url ?? '' });
      response.writeHead(200).end('ok');
    });
  });
  return new Promise<http.Server>((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

describe('callbacks end to end', () => {
  it('delivers the ICE envelope, signed with the global AuthKey, to the job NotifyAddress', async () => {
    const received: Received[] = [];
    const port = await freePort();
    const sink = await receiver(port, received);
    cleanups.push(() => new Promise((resolve) => sink.close(resolve)));
    const server = await startTestServer({ callbackAllowPrivate: true });
    cleanups.push(() => server.stop());
    const client = popCoreClient({ port: server.port, ...TEST_KEY });
    const call = (action: string, params: Record<string, string>) => client.request(action, params, { method: 'POST' }) as Promise<Body>;

    await call('SetEventCallback', { CallbackURL: 'https://example.invalid/global', AuthSwitch: 'on', AuthKey: 'Test123abc' });
    expect(await call('GetEventCallback', {})).toMatchObject({ CallbackType: 'HTTP', CallbackURL: 'https://example.invalid/global', AuthSwitch: 'on' });

    const url = `http://127.0.0.1:${port}/hook?x=1`;
    const userData = JSON.stringify({ NotifyAddress: url, order: 7 });
    const { JobId, MediaId } = await call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Siqi' }),
      InputConfig: '你好，回调。',
      OutputConfig: JSON.stringify({ bucket: 'cb', object: 'one' }),
      UserData: userData,
    });
    await waitFor(async () => received.length > 0, { what: 'the callback' });
    const [delivery] = received;
    const envelope = JSON.parse(delivery!.body);
    expect(Object.keys(envelope)).toEqual(['EventType', 'UserId', 'EventTime', 'MessageBody']);
    expect(envelope.EventType).toBe('AudioProduceComplete');
    expect(typeof envelope.UserId).toBe('number');
    expect(envelope.EventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(envelope.MessageBody).toMatchObject({ JobId, JobType: 'TextToSpeech', Status: 'Finished', MediaId, ErrorCode: '', ErrorMessage: '', UserData: userData });
    expect(envelope.MessageBody.MediaURL).toMatch(/\/buckets\/cb\/one\.mp3\?Expires=/);
    expect((await fetch(envelope.MessageBody.MediaURL)).status).toBe(200);
    const timestamp = delivery!.headers['x-ice-timestamp'] as string;
    expect(delivery!.headers['x-ice-signature']).toBe(createHash('md5').update(`${url}|${timestamp}|Test123abc`).digest('hex'));
    expect(delivery!.headers['x-narrate-delivery-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(delivery!.url).toBe('/hook?x=1');
  });

  it('a receiver down while the job finishes, the server SIGKILLed and restarted: the callback still arrives', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'narrate-cb-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const apiPort = await freePort();
    const hookPort = await freePort();
    const args = ['--data-dir', dataDir, '--voices-dir', path.join(dataDir, 'voices'), '--port', String(apiPort), '--access-keys', `${TEST_KEY.id}:${TEST_KEY.secret}`, '--callback-allow-private'];
    let server: NarrateProcess = await startNarrateProcess({ command: 'serve', args });
    cleanups.push(() => server.kill('SIGKILL'));
    const client = popCoreClient({ port: apiPort, ...TEST_KEY });
    const call = (action: string, params: Record<string, string>) => client.request(action, params, { method: 'POST' }) as Promise<Body>;
    const { JobId } = await call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Harry' }),
      InputConfig: 'The receiver is down for now.',
      OutputConfig: JSON.stringify({ bucket: 'cb', object: 'late' }),
      UserData: JSON.stringify({ NotifyAddress: `http://127.0.0.1:${hookPort}/late` }),
    });
    await waitFor(async () => (await call('GetSmartHandleJob', { JobId })).State === 'Finished', { what: 'the job' });
    // The first attempt has failed (nothing listens): the delivery is pending, with a retry scheduled.
    await waitFor(async () => {
      const { Deliveries } = await call('ListCallbackDeliveries', { JobId });
      return Deliveries.length === 1 && Deliveries[0].Attempts >= 1 && Deliveries[0].State === 'pending' && Deliveries[0].LastError;
    }, { what: 'a failed first attempt' });
    await server.kill('SIGKILL');

    const received: Received[] = [];
    const sink = await receiver(hookPort, received);
    cleanups.push(() => new Promise((resolve) => sink.close(resolve)));
    server = await startNarrateProcess({ command: 'serve', args });
    await waitFor(async () => received.length > 0, { timeoutMs: 60_000, what: 'the callback after the restart' });
    expect(JSON.parse(received[0]!.body).MessageBody).toMatchObject({ JobId, Status: 'Finished' });
    await waitFor(async () => (await call('ListCallbackDeliveries', { JobId })).Deliveries[0].State === 'delivered', { what: 'delivered state' });
    await server.kill('SIGTERM');
  }, 120_000);

  it('without the allowance no request reaches a loopback receiver; the delivery ends dead, is listed, and can be resent', async () => {
    const received: Received[] = [];
    const port = await freePort();
    const sink = await receiver(port, received);
    cleanups.push(() => new Promise((resolve) => sink.close(resolve)));
    const server = await startTestServer({ callbackAllowPrivate: false, callbackMode: 'ice' });
    cleanups.push(() => server.stop());
    const client = popCoreClient({ port: server.port, ...TEST_KEY });
    const call = (action: string, params: Record<string, string>) => client.request(action, params, { method: 'POST' }) as Promise<Body>;
    const { JobId } = await call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Harry' }),
      InputConfig: 'Nobody hears this.',
      OutputConfig: JSON.stringify({ bucket: 'cb', object: 'private' }),
      UserData: JSON.stringify({ NotifyAddress: `http://localhost:${port}/private` }),
    });
    const dead = await waitFor(async () => {
      const { Deliveries } = await call('ListCallbackDeliveries', { State: 'dead', JobId });
      return Deliveries[0];
    }, { what: 'the delivery to die (3 attempts, ICE mode)' });
    expect(dead.Attempts).toBe(3);
    expect(dead.LastError).toMatch(/127\.0\.0\.1|loopback|private|forbidden|refused/i);
    expect(received).toHaveLength(0);

    await call('ResendCallbackDelivery', { DeliveryId: dead.DeliveryId });
    const again = await waitFor(async () => {
      const { Deliveries } = await call('ListCallbackDeliveries', { JobId });
      return Deliveries[0].State === 'dead' && Deliveries[0].Attempts === 3 && Deliveries[0].NextAttemptAt !== dead.NextAttemptAt ? Deliveries[0] : null;
    }, { what: 'the resent delivery to be tried again' });
    expect(again.State).toBe('dead');
    expect(received).toHaveLength(0);
  });

  it('a queue NotifyAddress puts the message in a Narrate queue: received, hidden for the visibility timeout, deleted', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.stop());
    const client = popCoreClient({ port: server.port, ...TEST_KEY });
    const call = (action: string, params: Record<string, string>) => client.request(action, params, { method: 'POST' }) as Promise<Body>;
    const { JobId } = await call('SubmitAudioProduceJob', {
      EditingConfig: JSON.stringify({ voice: 'Siqi' }),
      InputConfig: '队列消息。',
      OutputConfig: JSON.stringify({ bucket: 'cb', object: 'queued' }),
      UserData: JSON.stringify({ NotifyAddress: 'ice-callback-orders' }),
    });
    const first = await waitFor(async () => {
      const { Messages } = await call('ReceiveCallbackMessages', { QueueName: 'ice-callback-orders', VisibilityTimeout: '1' });
      return Messages.length > 0 ? Messages : null;
    }, { what: 'the queue message' });
    expect(first).toHaveLength(1);
    expect(JSON.parse(first[0].MessageBody).MessageBody).toMatchObject({ JobId, Status: 'Finished' });
    expect((await call('ReceiveCallbackMessages', { QueueName: 'ice-callback-orders' })).Messages).toHaveLength(0);
    const again = await waitFor(async () => {
      const { Messages } = await call('ReceiveCallbackMessages', { QueueName: 'ice-callback-orders', VisibilityTimeout: '30' });
      return Messages.length > 0 ? Messages : null;
    }, { what: 'the message to reappear after its visibility timeout' });
    expect(again[0].MessageId).toBe(first[0].MessageId);
    expect(again[0].ReceiptHandle).not.toBe(first[0].ReceiptHandle);
    await expect(call('DeleteCallbackMessage', { QueueName: 'ice-callback-orders', ReceiptHandle: first[0].ReceiptHandle })).rejects.toMatchObject({ code: 'InvalidParameter' });
    await call('DeleteCallbackMessage', { QueueName: 'ice-callback-orders', ReceiptHandle: again[0].ReceiptHandle });
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await call('ReceiveCallbackMessages', { QueueName: 'ice-callback-orders' })).Messages).toHaveLength(0);
  });
});
